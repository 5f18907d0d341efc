import { TOOL_VERSION } from '../version.js';

export const MAIN_HELP = `exposure ${TOOL_VERSION}: what of your network can the internet reach?

Usage:
  exposure scan [options]     UPnP port mappings, external IP, NAT-PMP, and the external address from outside
  exposure agent --listen HOST:PORT [options]
                              the vantage agent, for a VPS: scans whoever asks it, and nobody else
  exposure history [--limit N] [--format text|json] [--db FILE|URL] [--site NAME]
                              the scans kept in the history database, newest first
  exposure history rejudge ID [--vendor-pack DIR]... [--format text|json] [--db FILE|URL] [--site NAME]
                              a stored scan judged again with the vendor data loaded now: what changed
  exposure diff [FROM] [TO] [--format text|json] [--db FILE|URL] [--site NAME]
                              what changed between two scans (default: the last two done)
  exposure alerts [--status pending|delivered|abandoned] [--limit N] [--format text|json] [--db FILE|URL] [--site NAME]
                              the webhook alerts: sent, waiting for a retry, or given up
  exposure watch --cron EXPR [--webhook URL]... [--alert-on FILTER] [scan options]
                              scan on a schedule, keep the history, alert webhooks on changes
  exposure serve [--listen HOST:PORT] [--db FILE|URL] [--site NAME] [--token-file FILE] [--webhook URL]...
                              the REST API (default http://127.0.0.1:7448) and the stored schedules, in one process
  exposure --help | --version

Run "exposure <command> --help" for a command's options.
Exit codes: 0 no finding at or above --fail-on, 1 a finding at or above it, 2 usage or runtime error,
3 (scan) incomplete: a view you asked for could not look (the router, or the vantage agent).
`;

export const SCAN_HELP = `Usage: exposure scan [options]

Finds the router(s) on this network by UPnP (SSDP), lists every port mapping they hold (to which machine,
since when, permanent or not), reads the external IP, checks NAT-PMP, and reports what it means.

Target:
  --gateway URL             skip discovery; read this device description (e.g. http://192.168.1.1:5000/rootDesc.xml).
                            Must be an IPv4 address on a network this machine is on.
  --interface NAME          search only on this interface (default: every non-internal IPv4 interface)
  --no-wan                  nothing leaves the LAN (the outside view is not run)

Outside view:
  --vantage URL             the vantage agent (exposure agent on a VPS) that scans this network from outside;
                            without it the external address is scanned from inside (hairpin NAT), TCP only,
                            and labelled "not an outside view"
  --vantage-token T         the agent's token (better: the EXPOSURE_VANTAGE_TOKEN environment variable)
  --vantage-pin sha256/B64  trust the agent's (self-signed) certificate by its key: the pin "exposure agent"
                            prints at start; several separated by ';' (like curl --pinnedpubkey)
  --vantage-ca FILE         verify the agent's certificate against this PEM file (its own certificate or its CA)
                            instead of this machine's CAs
  --vantage6 URL            the same agent reached over IPv6 (e.g. https://[2001:db8::7]:7447), which scans the
                            LAN's global IPv6 addresses inside this host's /64 (default: --vantage when its host
                            is an IPv6 address or a name with one)
  --ports SPEC              qnap, common, top1000, all, ports and ranges, comma separated (default qnap,common);
                            every port a UPnP mapping opens is always added
  --engine auto|nmap|connect
                            scan engine when scanning from here: nmap if installed (auto), or the built-in one
  --service-detection       nmap -sV, or banner grabbing with the built-in engine
  --syn-scan                nmap -sS instead of -sT (needs root and nmap; refused otherwise, and with --vantage)

Passive view (sends your WAN address to a third party):
  --passive internetdb      also ask Shodan InternetDB what it last saw on the WAN IPv4 address, and show it
                            beside the active view ("open at Shodan's last crawl, closed now"). This SENDS THE
                            ADDRESS TO SHODAN, a third party, over https. Only the WAN IPv4 address is sent
                            (the vantage agent's view of it, else the router's), only a public one. InternetDB is
                            free for non-commercial use; at volume or inside a product Shodan asks to be told
                            first. Off unless given; refused with --no-wan
  --passive-endpoint URL    another InternetDB origin (tests: a loopback fake; http only to loopback)

QNAP:
  --nas ADDRESS             also fingerprint this LAN address (repeatable; IPv4 on a local subnet). The internal
                            clients of the router's mappings are always fingerprinted: admin ports 8080 and 443,
                            the mapped ports, and the HTTPS port the NAS names; safe unauthenticated reads only
  --vendor-pack DIR         also load the vendor pack in DIR (its pack.json: fingerprints, advisories; data only,
                            docs/vendor-packs.md); repeatable
  --myqnapcloud NAME        resolve NAME.myqnapcloud.com (or a full name under a QNAP DDNS domain) and compare it
                            with the WAN address (repeatable)
  --dns-server ADDRESS[:PORT]
                            resolver for --myqnapcloud (default: the system's); IPv4

Limits:
  --timeout SECONDS         whole-scan time limit (default 60)
  --discovery-window MS     longest time to collect SSDP answers (default 1500); discovery ends 300 ms after the
                            router at the default gateway has answered, and runs the whole window when it has not
  --request-timeout MS      limit on each request to a device (default 5000)
  --max-mappings N          stop reading a router's table after N mappings (default 4096)
  --max-in-flight N         requests in flight per router, 1-8 (default 4)
  --enumeration auto|list|index
                            how to read the mapping table: auto (default) tries the one-request-per-page
                            GetListOfPortMappings, verifies it, and falls back to the index walk;
                            list or index force one method (index: GetGenericPortMappingEntry, like upnpc -l)

Output:
  --format text|json|markdown|html
                            text (default) for people, json for programs (schemas/report.schema.json),
                            markdown (GitHub-flavoured) for an issue or wiki, html: one self-contained page
                            with the verdict, an exposure diagram, findings and tables (best with --output)
  --output FILE             write the report to FILE instead of standard output
  --fail-on SEVERITY|none   exit 1 when a finding is at or above: info, low, medium, high (default), critical;
                            none never fails on findings (a failed view still exits 3)
  --no-color                no colours in text output (also: NO_COLOR=1)
  --quiet                   no progress messages on standard error

History:
  --save                    keep the scan in the history database (default file:
                            $XDG_DATA_HOME/exposure-scanner/history.db, else ~/.local/share/exposure-scanner/history.db)
  --db FILE                 keep the scan in this database file (implies --save)
  --site NAME               the site the saved scan belongs to (default "default"); with --save or --db

Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage or runtime error (the message says what to do),
3 incomplete: a view you asked for failed (the router named with --gateway did not answer or could not be
read, or the vantage agent was down) and no finding reached --fail-on. An agent whose certificate cannot be
verified or that refuses the token is exit 2: only you can fix it. No router answering discovery is a result
(UPnP may be off), reported as a partial inside view, not exit 3.
`;

export const AGENT_HELP = `Usage: exposure agent [--listen HOST:PORT] [options]

The vantage agent. Run it on a machine on the internet (a small VPS). It scans the address each request comes
from, and only that address: a request cannot name an IPv4 target. On a shared IPv4 address (MAP-E) it scans
only the caller's own port set, and refuses a set the caller's source ports do not fit. Over IPv6 a request may
name addresses of its own network, only inside the caller's /64. Requests need the bearer token.

  --listen HOST:PORT        where to listen (default [::]:7447: IPv4 and IPv6, or 0.0.0.0:7447 where IPv6 is
                            off); a bare PORT listens on both families; 0.0.0.0:PORT on IPv4 only, [::1]:PORT
                            and [2001:db8::5]:PORT on one address. Do not put it behind a reverse proxy: the
                            address it scans is the TCP peer, and a proxy would make that itself.
  --token-file FILE         the bearer token (default $XDG_CONFIG_HOME/exposure-scanner/agent-token); created
                            with a random token, mode 0600, and printed once, when it does not exist
  --tls-cert FILE --tls-key FILE
                            serve HTTPS (strongly advised: the token travels with every request); prints the
                            certificate's pin for the scanner's --vantage-pin (a self-signed one is fine)
  --engine auto|nmap|connect
                            nmap when installed (auto), or the built-in engine
  --syn-scan                nmap -sS instead of -sT (needs root)
  --max-ports N             most ports per request, over all its IPv6 targets (default 65535: "all")
  --max-duration SECONDS    longest scan per request (default 300)
  --max-concurrent N        scans at once over all clients (default 2; one per client in any case)
  --rate-limit N            scan requests per client per 10 minutes (default 6; GET /v1/whoami: 30); an
                            IPv6 client is counted by its /64
  --ipv6-scope 64|56        the prefix IPv6 targets must share with the caller (default 64). 56 is your
                            decision as the operator: where a provider gives each home a /56 it is still one
                            home; where it does not, a caller could name a neighbour's addresses
  --allow-documentation-prefixes
                            treat 2001:db8::/32 and 3fff::/20 as global addresses: for the test lab only,
                            which must use them; never on an agent on the internet

Every refused request is logged on standard error: time, status, code, client address (never the token).
`;

export const HISTORY_HELP = `Usage: exposure history [--limit N] [--format text|json] [--db FILE|URL] [--site NAME]
       exposure history rejudge ID [--vendor-pack DIR]... [--format text|json]   (exposure history rejudge --help)

The scans in the history database, newest first: id, status (queued, running, done, failed, interrupted), when,
who started it (cli, api, schedule #id), the highest severity, mapping count, open WAN ports, the WAN address.

  --limit N                 how many scans (default 20, at most 500)
  --format text|json        text (default) or json ({"scans": [...]})
  --db FILE                 the database (default $XDG_DATA_HOME/exposure-scanner/history.db)
                            or a postgres://USER:PASSWORD@HOST:5432/DB URL (one database for many sites)
  --site NAME               only this site's scans (default: every site)
`;

export const REJUDGE_HELP = `Usage: exposure history rejudge ID [--vendor-pack DIR]... [--format text|json] [--db FILE|URL] [--site NAME]

Judges a stored scan again: the facts it recorded (each device's vendor, product line, model and version, and
where they were read) held against the vendor packs loaded now, and shows what that changes: verdicts per host
and advisory, findings new, resolved or re-rated (as "exposure diff" reports them), the headline and risk score
then and now, and the packs' versions and data dates then and now. Read-only: the stored scan is not changed.
Exit 0 when nothing changed, 1 when something did, 2 on errors (an unknown id is EXP_ERR_SCAN_NOT_FOUND).

  --vendor-pack DIR         judge with the pack in DIR besides the shipped ones (repeatable); without it, the
                            folders the scan was recorded with
  --format text|json        text (default) or json (the same object as GET /v1/scans/{id}/rejudge)
  --db FILE                 the database (default $XDG_DATA_HOME/exposure-scanner/history.db)
                            or a postgres://USER:PASSWORD@HOST:5432/DB URL
  --site NAME               the scan must belong to this site
`;

export const ALERTS_HELP = `Usage: exposure alerts [--status pending|delivered|abandoned] [--limit N] [--format text|json] [--db FILE|URL] [--site NAME]

The webhook outbox, newest first. Every alert is written here before it is sent, so this is also the alert log.
  pending    not delivered yet; retried with backoff (30 s doubling to 10 min) while the receiver fails
  delivered  the receiver answered 2xx
  abandoned  no longer tried: its webhook was taken out of the schedule, the schedule was deleted, or it was
             still undelivered 7 days after it was queued (LAST ERROR says which)
Webhooks are shown by origin only: their paths are often secrets.

  --status STATUS           only alerts in this state
  --limit N                 how many alerts (default 20, at most 500)
  --format text|json        text (default) or json ({"alerts": [...]})
  --db FILE                 the database (default $XDG_DATA_HOME/exposure-scanner/history.db)
                            or a postgres://USER:PASSWORD@HOST:5432/DB URL (one database for many sites)
  --site NAME               only this site's alerts
`;

export const DIFF_HELP = `Usage: exposure diff [FROM] [TO] [--format text|json] [--db FILE|URL] [--site NAME]

What changed between two done scans: mappings added, removed or changed; WAN ports newly open or closed;
findings new, resolved or with a new severity; the WAN address; NAS firmware. Ports are compared by
port/protocol, so a new WAN address is one change, not "everything changed".

  FROM TO                   scan ids from "exposure history"; with FROM only: FROM to the newest done scan;
                            with neither: the two newest done scans
  --format text|json        text (default) or json (the change list with stable keys)
  --db FILE                 the database (default $XDG_DATA_HOME/exposure-scanner/history.db)
                            or a postgres://USER:PASSWORD@HOST:5432/DB URL (one database for many sites)
  --site NAME               compare this site's scans (the two newest of the site when no ids are given)

Exit codes: 0 no changes, 1 changes, 2 error (like diff(1)).
`;

export const WATCH_HELP = `Usage: exposure watch --cron EXPR [options] [scan options]

Scans on a schedule until stopped (Ctrl-C, SIGTERM), keeps every scan in the history database, and sends the
changes between one scan and the next to webhooks. The schedule is stored under its --name: restarting watch
with the same name continues it (a scan cut off by a crash or kill is marked interrupted).

Schedule:
  --cron EXPR               when to scan: 5 fields (minute hour day month weekday), or 6 with seconds first;
                            e.g. "0 * * * *" hourly, "*/15 * * * *" every 15 minutes
  --name NAME               the schedule's name in the database (default "watch")
  --jitter SECONDS          random delay before each run, at most a tenth of the interval (default 30; 0: none)
  --run-now                 also scan once right away
  --keep-days N             delete scans older than N days (default 365; 0 keeps everything); the newest
                            done scan is always kept
  --db FILE                 the database (default $XDG_DATA_HOME/exposure-scanner/history.db)
                            or a postgres://USER:PASSWORD@HOST:5432/DB URL (one database for many sites)
  --site NAME               the site this watcher looks after: its schedule, scans and alerts carry it (default "default")

Alerts:
  --webhook URL             POST the changes as JSON (with a Slack-compatible "text") to URL; repeatable;
                            http or https; a failed delivery is kept and retried with backoff
  --alert-on FILTER         new-exposure (default): something became reachable or newly dangerous;
                            severity:LEVEL: a finding new or raised to LEVEL (info, low, medium, high, critical);
                            coverage: a view (router, agent) that stopped or started working;
                            any: every change, including things that went away
  --coverage-alert-after N  a view you asked for that fails N scans in a row raises one new-exposure alert
                            (default 3); one failed scan alone is one coverage-changed, not an alert
  --alert-retry SECONDS     first retry of a failed delivery (default 30); doubles per failure, up to 10 minutes

The first finished scan of a schedule sends a baseline alert (type exposure.baseline): what is exposed now.

Scan options: the same as "exposure scan" (--gateway, --interface, --no-wan, --vantage, --ports, --timeout, ...);
the vantage token is never stored: give it with EXPOSURE_VANTAGE_TOKEN in watch's environment.
`;

export const SERVE_HELP = `Usage: exposure serve [options]

The REST API and the scheduler in one process, on one history database. Every route except /v1/healthz needs
"Authorization: Bearer TOKEN"; the token is created (mode 0600) on first start. The OpenAPI document and its UI
are at /docs. Scans started over the API have the scope limits of "exposure scan": a gateway must be on one of
this machine's networks, and the vantage agent can only be the one given here.

  --listen HOST:PORT        where to listen (default 127.0.0.1:7448: this machine only)
  --db FILE                 the history database (default $XDG_DATA_HOME/exposure-scanner/history.db,
                            else ~/.local/share/exposure-scanner/history.db), or a postgres:// URL
  --site NAME               this server's site: its scheduler runs only that site's schedules, and scans and
                            schedules created over the API get it (default "default")
  --token-file FILE         the bearer token (default $XDG_CONFIG_HOME/exposure-scanner/api-token, else
                            ~/.config/exposure-scanner/api-token); created with a random token when missing
  --webhook URL             alert webhook for schedules created over the API that name none (repeatable)
  --alert-on FILTER         alert filter for those schedules: any, new-exposure (default), coverage,
                            severity:LEVEL
  --vantage URL             the vantage agent API scans may use (token: EXPOSURE_VANTAGE_TOKEN, or
                            --vantage-token T); a request can only say yes or no to it
  --vantage-pin sha256/B64  trust that agent's (self-signed) certificate by its key (the pin it prints)
  --vantage-ca FILE         verify that agent's certificate against this PEM file
  --vantage6 URL            that agent over IPv6, for the IPv6 outside view of the LAN's global addresses
  --rate-limit N            requests per client address per minute (default 300; failed logins count)
  --max-queued N            API scans waiting to run; one more is refused with 503 (default 8)
  --jitter SECONDS          random delay before each scheduled run, at most (default 30)
  --keep-days N             delete finished scans older than N days (default 365; 0 keeps everything; the
                            newest done scan of each schedule is always kept)
  --alert-retry SECONDS     first retry delay of a failed webhook delivery, doubling up to a cap (default 30)
  --coverage-alert-after N  a view a schedule asked for that fails N scans in a row raises one new-exposure
                            alert (default 3)
  --public-docs             serve /docs without the token (the document holds no data)

Scans run one at a time (API and schedules share the slot). Ctrl-C or SIGTERM stops cleanly (exit 0): running
scans are aborted and marked in the history.
`;

/**
 * `exposure COMMAND --help` (or -h) with nothing else is answered from here, before the command's module loads: a
 * help text costs no probe, driver or server to print. With other options the command parses them and prints the
 * same text itself.
 */
export const COMMAND_HELP: ReadonlyMap<string, string> = new Map([
  ['scan', SCAN_HELP],
  ['agent', AGENT_HELP],
  ['history', HISTORY_HELP],
  ['diff', DIFF_HELP],
  ['alerts', ALERTS_HELP],
  ['watch', WATCH_HELP],
  ['serve', SERVE_HELP],
]);
