import { TOOL_VERSION } from '../core/version.js';

export const MAIN_HELP = `exposure ${TOOL_VERSION}: what of your network can the internet reach?

Usage:
  exposure scan [options]     UPnP port mappings, external IP, NAT-PMP, and the external address from outside
  exposure agent --listen HOST:PORT [options]
                              the vantage agent, for a VPS: scans whoever asks it, and nobody else
  exposure --help | --version

Run "exposure scan --help" or "exposure agent --help" for their options.
Exit codes: 0 no finding at or above --fail-on, 1 a finding at or above it, 2 usage or runtime error.
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
  --ports SPEC              qnap, common, top1000, all, ports and ranges, comma separated (default qnap,common);
                            every port a UPnP mapping opens is always added
  --engine auto|nmap|connect
                            scan engine when scanning from here: nmap if installed (auto), or the built-in one
  --service-detection       nmap -sV, or banner grabbing with the built-in engine
  --syn-scan                nmap -sS instead of -sT (needs root; otherwise -sT with a warning)

QNAP:
  --nas ADDRESS             also fingerprint this LAN address (repeatable; IPv4 on a local subnet). The internal
                            clients of the router's mappings are always fingerprinted: admin ports 8080 and 443,
                            the mapped ports, and the HTTPS port the NAS names; safe unauthenticated reads only
  --myqnapcloud NAME        resolve NAME.myqnapcloud.com (or a full name under a QNAP DDNS domain) and compare it
                            with the WAN address (repeatable)
  --dns-server ADDRESS[:PORT]
                            resolver for --myqnapcloud (default: the system's); IPv4

Limits:
  --timeout SECONDS         whole-scan time limit (default 60)
  --discovery-window MS     how long to collect SSDP answers (default 1500)
  --request-timeout MS      limit on each request to a device (default 5000)
  --max-mappings N          stop reading a router's table after N mappings (default 4096)
  --max-in-flight N         requests in flight per router, 1-8 (default 4)
  --enumeration auto|list|index
                            how to read the mapping table: auto (default) tries the one-request-per-page
                            GetListOfPortMappings, verifies it, and falls back to the index walk;
                            list or index force one method (index: GetGenericPortMappingEntry, like upnpc -l)

Output:
  --format text|json        text (default) for people, json for programs (schemas/report.schema.json)
  --output FILE             write the report to FILE instead of standard output
  --fail-on SEVERITY|none   exit 1 when a finding is at or above: info, low, medium, high (default), critical;
                            none never fails on findings
  --no-color                no colours in text output (also: NO_COLOR=1)
  --quiet                   no progress messages on standard error

Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage or runtime error (the message says what to do).
No router found is a result (exit 0, with an info finding), not an error.
`;

export const AGENT_HELP = `Usage: exposure agent --listen HOST:PORT [options]

The vantage agent. Run it on a machine on the internet (a small VPS). It scans the address each request comes
from, and only that address: a request cannot name a target. Requests need the bearer token.

  --listen HOST:PORT        where to listen, e.g. 0.0.0.0:7447 (required). Do not put it behind a reverse
                            proxy: the address it scans is the TCP peer, and a proxy would make that itself.
  --token-file FILE         the bearer token (default $XDG_CONFIG_HOME/exposure-scanner/agent-token); created
                            with a random token, mode 0600, and printed once, when it does not exist
  --tls-cert FILE --tls-key FILE
                            serve HTTPS (strongly advised: the token travels with every request)
  --engine auto|nmap|connect
                            nmap when installed (auto), or the built-in engine
  --syn-scan                nmap -sS instead of -sT (needs root)
  --max-ports N             largest port set per request (default 10000; 65535 allows "all")
  --max-duration SECONDS    longest scan per request (default 300)
  --max-concurrent N        scans at once over all clients (default 2; one per client in any case)
  --rate-limit N            scan requests per client per 10 minutes (default 6)
`;
