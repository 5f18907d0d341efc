/**
 * The error registry: every EXP_ERR_* code with what it means on each face. One table, so the CLI, the REST API,
 * the agent and docs/errors.md (generated from it: npm run gen:errors) cannot drift apart.
 *
 * Plain data and types only: this file imports nothing, so any layer may read it.
 */

/** Where a code belongs; docs/errors.md groups codes by area, in this order. */
export const ERROR_AREAS = {
  general: 'Any command',
  device: 'Reading the router and other devices',
  engine: 'Port-scan engines',
  vantage: 'The vantage agent, as the scanner sees it',
  coverage: 'Coverage: what a scan could not see',
  agent: "The vantage agent's answers",
  api: "The REST API's answers",
  history: 'The history database',
  schedule: 'Schedules and alerts',
  qnap: 'QNAP, NAS and DNS checks',
} as const;

export type ErrorArea = keyof typeof ERROR_AREAS;

export interface ErrorSpec {
  area: ErrorArea;
  /**
   * The HTTP status a server of ours answers with when a request fails with this code. null: never an HTTP answer
   * (recorded in a report, a scan or an alert, or raised only before a server listens); a server that meets one
   * anyway answers 500 EXP_ERR_API_INTERNAL. 500 also hides the message from the client (the log has it).
   */
  status: number | null;
  /** The CLI's exit status when this code ends a command: 2 (the command failed), 3 (a view asked for failed); null: never alone. */
  exit: 2 | 3 | null;
  /** One line: what happened. */
  summary: string;
  /** The message template for new-style errors; {name} marks a parameter (createError(code, { name })). */
  message: string;
  /** The longer description docs/errors.md shows (markdown). */
  details: string;
  /** How to solve it (markdown): docs/errors.md, and the default hint of an error built from the template. */
  hint: string;
  /** The code a REST API client sees instead (it has no command line to be wrong). */
  apiCode?: string;
}

export const ERROR_REGISTRY = {
  EXP_ERR_USAGE: {
    area: 'general',
    status: 400,
    exit: 2,
    summary: 'The command line is not valid.',
    message: '{option}: {problem}',
    details: 'The command line is not valid: unknown option, bad value, missing argument. The REST API answers the same mistakes in a request with `EXP_ERR_API_BAD_REQUEST`.',
    hint: 'Run `exposure scan --help`; the message names the option at fault.',
    apiCode: 'EXP_ERR_API_BAD_REQUEST',
  },
  EXP_ERR_ABORTED: {
    area: 'general',
    status: 503,
    exit: 2,
    summary: 'The operation was cancelled.',
    message: '{what} was cancelled',
    details: 'The operation was cancelled (Ctrl-C, or the caller\'s AbortSignal).',
    hint: 'Nothing to fix; run again.',
  },
  EXP_ERR_TIMEOUT: {
    area: 'general',
    status: 504,
    exit: 2,
    summary: 'The operation took longer than its time limit.',
    message: '{what} timed out',
    details: 'The whole scan took longer than `--timeout`.',
    hint: 'Raise `--timeout`, or lower `--max-mappings` on a router with a huge table.',
  },
  EXP_ERR_OUTPUT: {
    area: 'general',
    status: null,
    exit: 2,
    summary: 'The report could not be written.',
    message: 'Cannot write {file}: {reason}',
    details: '`--output FILE` could not be written. Checked before the scan (the folder exists and takes a new file, FILE is not a folder or a device); a write that still fails afterwards (disk full, folder removed) removes its temporary file and leaves any earlier report in place.',
    hint: 'Check the folder exists and is writable; the message names the cause.',
  },
  EXP_ERR_REPORT_INVALID: {
    area: 'general',
    status: 500,
    exit: 2,
    summary: 'The report did not pass its schema: a bug in exposure-scanner.',
    message: 'The report does not match schemas/report.schema.json: {details}',
    details: 'The report did not pass `schemas/report.schema.json`.',
    hint: 'A bug in exposure-scanner: please report it with the command you ran.',
  },
  EXP_ERR_UNEXPECTED: {
    area: 'general',
    status: null,
    exit: null,
    summary: 'An error without a code of its own stopped a recorded scan: a bug in exposure-scanner.',
    message: 'Unexpected error: {message}',
    details: 'Recorded on a failed scan in the history when the error had no code of its own.',
    hint: 'A bug in exposure-scanner: please report it with the message `exposure history --format json` shows.',
  },
  EXP_ERR_HTTP_TIMEOUT: {
    area: 'device',
    status: 504,
    exit: null,
    summary: 'An HTTP request to a device did not complete in time.',
    message: '{host} did not answer {path} within {timeoutMs} ms',
    details: 'One HTTP request to a device did not complete within `--request-timeout`.',
    hint: 'The router is slow or overloaded: raise `--request-timeout`, or check it is reachable.',
  },
  EXP_ERR_HTTP_TOO_LARGE: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'A device answered with more data than the limit allows.',
    message: '{host} sent more than {maxBytes} bytes for {path}',
    details: 'A device sent more than 1 MiB for one answer.',
    hint: 'No real router needs that much; treat the device as suspicious.',
  },
  EXP_ERR_HTTP_STATUS: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'A device answered with an unexpected HTTP status.',
    message: '{url} answered HTTP {status} instead of {expected}',
    details: 'A device answered with an unexpected HTTP status (not 200, and not a UPnP fault).',
    hint: 'The router may not implement the action; the rest of the report still stands.',
  },
  EXP_ERR_HTTP_NETWORK: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'A device could not be reached over HTTP.',
    message: 'Cannot reach {host}: {reason}',
    details: 'A device could not be reached over HTTP (refused, reset, no route).',
    hint: 'Check the device is on and on this network; check `--gateway`.',
  },
  EXP_ERR_URL_NOT_ALLOWED: {
    area: 'device',
    status: 403,
    exit: 2,
    summary: 'A URL was refused because it points somewhere the scan may not go.',
    message: 'Refusing {url}: {reason}',
    details: 'A URL was refused: not http, or a host that is not on this machine\'s networks. The REST API answers it with HTTP 403 when a scan or schedule names such a `gateway`, before anything is recorded.',
    hint: 'Give `--gateway` as the router\'s LAN IP address, e.g. `http://192.168.1.1:5000/rootDesc.xml`.',
  },
  EXP_ERR_XML_INVALID: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'A device answered with XML that cannot be parsed safely.',
    message: '{what} is not well-formed XML: {reason}',
    details: 'A device answered with XML that cannot be parsed safely (a DOCTYPE, nesting too deep, reserved names, a damaged mapping entry).',
    hint: 'Nothing to fix here; a router sending this is broken or hostile, and the report says which.',
  },
  EXP_ERR_SOAP_FAULT: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'A UPnP device answered an action with a SOAP fault.',
    message: '{action} failed on {host}: UPnP error {upnpErrorCode} ({description})',
    details: 'A UPnP action failed with a SOAP fault; `upnpErrorCode` carries the UPnP code (e.g. 713 index invalid, 501 action failed, 606 not authorised).',
    hint: 'Usually informational; 606 means the router restricts UPnP, which is good.',
  },
  EXP_ERR_IGD_NO_CONNECTION_SERVICE: {
    area: 'device',
    status: 502,
    exit: null,
    summary: 'The device description names no WAN connection service.',
    message: '{location} names no WANIPConnection or WANPPPConnection service',
    details: 'The device description names no WANIPConnection or WANPPPConnection service.',
    hint: 'The device is not a router (or not one that forwards ports); nothing to do.',
  },
  EXP_ERR_INTERFACE_NOT_FOUND: {
    area: 'device',
    status: 400,
    exit: 2,
    summary: 'The network interface named with --interface does not exist or has no IPv4 address.',
    message: 'Interface {name} does not exist or has no IPv4 address',
    details: '`--interface` names an interface that does not exist or has no IPv4 address.',
    hint: 'Use one of the names the message lists (`ip -br addr` shows them).',
  },
  EXP_ERR_SOCKET: {
    area: 'device',
    status: 500,
    exit: 2,
    summary: 'A UDP socket could not be opened or used.',
    message: 'Cannot open a UDP socket on {address}: {reason}',
    details: 'A UDP socket for SSDP or NAT-PMP could not be opened.',
    hint: 'Check that the interface is up; another program may hold the address.',
  },
  EXP_ERR_NMAP_FAILED: {
    area: 'engine',
    status: 500,
    exit: 2,
    summary: 'nmap ran but did not produce a usable result.',
    message: 'nmap {exit} without results: {detail}',
    details: 'nmap ran but produced no usable XML (it crashed, or was refused a raw socket).',
    hint: 'The message carries nmap\'s last words; try `--engine connect`, the built-in engine.',
  },
  EXP_ERR_ENGINE_UNAVAILABLE: {
    area: 'engine',
    status: 400,
    exit: 2,
    summary: 'The requested scan engine is not available on this machine.',
    message: '{option} needs nmap, which is not installed (or not on PATH)',
    details: '`--engine nmap` (or `--syn-scan`) was asked for, and nmap is not installed. Refused before the router is read, when the local engine would run (not with `--no-wan` or `--vantage`).',
    hint: 'Install nmap (`apt-get install nmap`) or use `--engine connect` (or `auto`).',
  },
  EXP_ERR_SYN_SCAN_NEEDS_ROOT: {
    area: 'engine',
    status: 400,
    exit: 2,
    summary: 'A SYN scan (--syn-scan) was asked for by a process that does not run as root.',
    message: 'A SYN scan (--syn-scan, nmap -sS) needs raw sockets, and this process does not run as root',
    details: '`--syn-scan` (nmap `-sS`) needs raw sockets, and the scan does not run as root (uid 0; a `CAP_NET_RAW` capability alone is not enough: the nmap engine decides on uid 0). Refused before anything is sent (exit 2); `--syn-scan` with `--vantage`, `--no-wan` or `--engine connect` is `EXP_ERR_USAGE` (the local engine would not run, or cannot SYN-scan), and without nmap `EXP_ERR_ENGINE_UNAVAILABLE`.',
    hint: 'Run as root (`sudo exposure scan ...`) or drop `--syn-scan`: the connect scan finds the same open ports. For the outside view, start the agent with `exposure agent --syn-scan` as root.',
  },
  EXP_ERR_VANTAGE: {
    area: 'vantage',
    status: 502,
    exit: 2,
    summary: 'The vantage agent could not be reached or gave an unusable answer.',
    message: 'The agent at {origin} {problem}',
    details: 'The vantage agent refused the scan (the message carries its HTTP status and code: a wrong token, a refused request) or answered something that breaks the contract: the scan stops (exit 2). When the agent is only unavailable (unreachable, HTTP 5xx, 429 rate limit), the scan goes on without the outside view: the report\'s `wan.reason` says why and `warnings` carries this code.',
    hint: 'Check `--vantage`, the token (`EXPOSURE_VANTAGE_TOKEN`), that the agent runs and its port is open.',
  },
  EXP_ERR_VANTAGE_TLS: {
    area: 'vantage',
    status: 502,
    exit: 2,
    summary: 'The vantage agent\'s TLS certificate could not be verified.',
    message: 'The agent\'s certificate at {origin} could not be verified ({problem})',
    details: 'The vantage agent\'s TLS certificate could not be verified (self-signed without `--vantage-pin` or `--vantage-ca`, expired, another host name, an unknown CA), or its key does not match `--vantage-pin` (the message shows the pin it saw). Decided on the finished handshake: no byte of the request, and so not the token, was sent, and the scan stops (exit 2), because a scan that trusted any certificate could be answered by anyone in the path.',
    hint: 'For a self-signed agent certificate, pass the pin `exposure agent` prints at start: `--vantage-pin sha256/...` (compare it with the agent\'s `Pin:` line), or the certificate itself: `--vantage-ca cert.pem`. A pin that no longer matches: the agent has a new key (use its new pin) or something in the path answers for it. With a CA-signed certificate, use the host name it names in `--vantage`.',
  },
  EXP_ERR_IGD_NOT_FOUND: {
    area: 'coverage',
    status: null,
    exit: 3,
    summary: 'No UPnP router answered discovery, so no mapping table was read.',
    message: 'No UPnP router answered discovery within {windowMs} ms',
    details: 'No UPnP router answered discovery, or the router named with `--gateway` did not answer: no mapping table was read. With discovery this is a partial inside view (UPnP may simply be off); with `--gateway` it is a failed one (exit 3).',
    hint: 'If UPnP is off on your router, that is good: forwards set by hand are then seen only from outside, with `--vantage`. Otherwise check this machine is on the router\'s LAN (not a guest or isolated Wi-Fi), or name the router with `--gateway`.',
  },
  EXP_ERR_IGD_MAPPINGS_INCOMPLETE: {
    area: 'coverage',
    status: null,
    exit: 3,
    summary: 'A router\'s port-mapping table could not be read to the end.',
    message: 'Not every mapping was read: {problems}',
    details: 'A router\'s port-mapping table was not read to its end: the `--max-mappings` limit, the scan\'s time limit, or the router stopped answering. The inside view is partial.',
    hint: 'The reason names which: raise `--max-mappings` or `--timeout`, or run again.',
  },
  EXP_ERR_IGD_UNREADABLE: {
    area: 'coverage',
    status: null,
    exit: 3,
    summary: 'A router was found but its description or external address could not be read.',
    message: '{router} could not be read: {reason}',
    details: 'A router answered but could not be read (its description, or its external address), or one of several routers could not.',
    hint: 'The reason carries the underlying code; check the router is on and `--gateway` is its description URL.',
  },
  EXP_ERR_NO_VANTAGE: {
    area: 'coverage',
    status: null,
    exit: null,
    summary: 'No vantage agent was named, so there is no view from the internet.',
    message: 'The external address was not scanned from the internet ({reason})',
    details: 'No vantage agent was named: the external address was scanned from inside (hairpin NAT) or not at all. This is not what the internet sees. Not an error and not exit 3 (you did not ask for an outside view).',
    hint: 'Run `exposure agent` on a machine on the internet and scan with `--vantage`.',
  },
  EXP_ERR_WAN_SKIPPED: {
    area: 'coverage',
    status: null,
    exit: null,
    summary: 'The outside view was not run (--no-wan).',
    message: '--no-wan: the external address was not scanned',
    details: '`--no-wan`: the outside view did not run.',
    hint: 'Run without `--no-wan` (and with `--vantage`) for the view from the internet.',
  },
  EXP_ERR_WAN_PORTS_INCOMPLETE: {
    area: 'coverage',
    status: null,
    exit: 3,
    summary: 'The outside view did not give a state for every port it was asked to scan.',
    message: 'Only {answered} of {asked} ports got a state',
    details: 'The outside view gave a state for fewer ports than it was asked to scan (it ran out of time, or the engine stopped early): a partial outside view.',
    hint: 'Raise `--timeout`, or scan fewer ports.',
  },
  EXP_ERR_AGENT_UNAUTHORIZED: {
    area: 'agent',
    status: 401,
    exit: null,
    summary: 'A request to the agent had no valid bearer token.',
    message: 'A valid bearer token is required',
    details: 'The request had no valid bearer token.',
    hint: 'Send `Authorization: Bearer <token>` with the token from the agent\'s token file.',
  },
  EXP_ERR_AGENT_BAD_REQUEST: {
    area: 'agent',
    status: 400,
    exit: null,
    summary: 'A request to the agent did not match its schema.',
    message: 'Invalid request: {problem}',
    details: 'The request did not match `schemas/agent-scan-request.schema.json`: an unknown field (there is no target field, on purpose), a bad port list, a `timeoutSeconds` that is not an integer from 1 to 3600 (HTTP 400); a body over 16 KiB (413), not JSON (415), a route the agent does not have (404).',
    hint: 'Send only `ports`, `serviceDetection`, `udp`, `igd`, `timeoutSeconds`, `fingerprint`. An agent older than the scanner refuses `fingerprint`: update both sides.',
  },
  EXP_ERR_AGENT_RATE_LIMITED: {
    area: 'agent',
    status: 429,
    exit: null,
    summary: 'A client asked the agent for scans too often.',
    message: 'Too many scan requests from this address: at most {max} per {windowSeconds} s; retry in {retrySeconds} s',
    details: 'Too many scan requests from this address in the window (failed tokens count). The answer carries `Retry-After` (seconds) and says when; the agent logs the refusal.',
    hint: 'Wait the `Retry-After` seconds; the agent allows `--rate-limit` requests per client per 10 minutes.',
  },
  EXP_ERR_AGENT_BUSY: {
    area: 'agent',
    status: 503,
    exit: null,
    summary: 'The agent is already running as many scans as it allows.',
    message: 'The agent is running as many scans as it allows; retry in {retrySeconds} s',
    details: 'A scan of this address is already running (429; `Retry-After` is the time that scan may still take), or the agent runs `--max-concurrent` scans (503, `Retry-After: 30`).',
    hint: 'Wait for the running scan; retry after the `Retry-After` seconds.',
  },
  EXP_ERR_AGENT_TOO_LARGE: {
    area: 'agent',
    status: 413,
    exit: null,
    summary: 'A scan request asked for more ports or time than the agent allows.',
    message: 'The request asks for {ports} ports; this agent scans at most {maxPorts}',
    details: 'More ports than `--max-ports` (default 65535, which allows `all`; a longer time limit than `--max-duration` is cut to it, not refused).',
    hint: 'Ask for fewer ports, or raise the agent\'s `--max-ports`.',
  },
  EXP_ERR_AGENT_UNSUPPORTED_CLIENT: {
    area: 'agent',
    status: 400,
    exit: null,
    summary: 'The agent cannot scan the address the request came from.',
    message: 'The agent scans IPv4 callers only; connect to it over IPv4',
    details: 'The request came over IPv6; the engines scan IPv4.',
    hint: 'Reach the agent by its IPv4 address.',
  },
  EXP_ERR_AGENT_CONFIG: {
    area: 'agent',
    status: null,
    exit: 2,
    summary: 'The agent could not start with the given options.',
    message: 'The agent cannot start: {problem}',
    details: 'The agent cannot start: a token file readable by others or too short, unreadable TLS files.',
    hint: 'Follow the hint (`chmod 600 FILE`, or delete the file to get a new token).',
  },
  EXP_ERR_API_UNAUTHORIZED: {
    area: 'api',
    status: 401,
    exit: null,
    summary: 'A request to the REST API had no valid bearer token.',
    message: 'A valid bearer token is required',
    details: 'The request had no valid `Authorization: Bearer` token. Every route except `/healthz` needs it.',
    hint: 'Send `Authorization: Bearer $(cat ~/.config/exposure-scanner/api-token)` (or the `--token-file` given to `exposure serve`).',
  },
  EXP_ERR_API_BAD_REQUEST: {
    area: 'api',
    status: 400,
    exit: null,
    summary: 'A request to the REST API did not match its schema.',
    message: 'Invalid request: {problem}',
    details: 'The body, query or path did not match its schema (`schemas/api-*.schema.json`): an unknown field, a wrong type, malformed JSON, an invalid cron expression, a bad port list.',
    hint: 'The message names the field; `GET /docs/json` has every schema.',
  },
  EXP_ERR_API_NOT_FOUND: {
    area: 'api',
    status: 404,
    exit: null,
    summary: 'The REST API has no such route, scan or schedule.',
    message: 'No route {method} {path}',
    details: 'No such route, scan or schedule.',
    hint: 'Check the id (`GET /v1/scans` lists them) and the `/v1` prefix.',
  },
  EXP_ERR_API_TOO_LARGE: {
    area: 'api',
    status: 413,
    exit: null,
    summary: 'A request body was larger than the REST API accepts.',
    message: 'Request body too large',
    details: 'The request body was over 64 KiB.',
    hint: 'Scan and schedule requests are small; send only the documented fields.',
  },
  EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE: {
    area: 'api',
    status: 415,
    exit: null,
    summary: 'A request body was not JSON.',
    message: 'Send the body as application/json',
    details: 'A body was sent with a content type other than `application/json`.',
    hint: 'Add `-H \'content-type: application/json\'`.',
  },
  EXP_ERR_API_RATE_LIMITED: {
    area: 'api',
    status: 429,
    exit: null,
    summary: 'A client sent the REST API too many requests.',
    message: 'Too many requests: at most {max} per {window}',
    details: 'Too many requests from this address in the window (failed authentications count).',
    hint: 'Wait for the `Retry-After` seconds; `exposure serve --rate-limit N` raises the limit.',
  },
  EXP_ERR_API_BUSY: {
    area: 'api',
    status: 503,
    exit: null,
    summary: 'The REST API has as many scans waiting as it allows.',
    message: '{waiting} scans are already waiting; try again when they have run',
    details: 'As many scans are waiting as the server queues.',
    hint: 'Wait for the queued scans (`GET /v1/scans?status=queued`) and retry.',
  },
  EXP_ERR_API_SCAN_NOT_READY: {
    area: 'api',
    status: 409,
    exit: null,
    summary: 'The scan has no report (yet): it is queued, running, or did not finish.',
    message: 'Scan {id} is {status}; only done scans have a report',
    details: 'The scan has no report: it is still queued or running, or it failed or was interrupted.',
    hint: 'Poll `GET /v1/scans/{id}` until `status` is `done`; a failed scan carries its own error.',
  },
  EXP_ERR_API_INTERNAL: {
    area: 'api',
    status: 500,
    exit: null,
    summary: 'The REST API failed to handle a request: a bug in exposure-scanner.',
    message: 'The server failed to handle the request; its log has the details',
    details: 'The server failed to handle a request. No details are sent to the client; the server logs them.',
    hint: 'A bug in exposure-scanner: please report it with the server\'s log line.',
  },
  EXP_ERR_API_CONFIG: {
    area: 'api',
    status: null,
    exit: 2,
    summary: 'exposure serve could not start with the given options.',
    message: 'exposure serve cannot start: {problem}',
    details: '`exposure serve` cannot start: a token file readable by others or too short, a database it cannot open, a bad `--vantage`.',
    hint: 'Follow the hint (`chmod 600 FILE`, or delete the file to get a new token).',
  },
  EXP_ERR_DB_OPEN: {
    area: 'history',
    status: 500,
    exit: 2,
    summary: 'The history database could not be opened or written.',
    message: 'History database {file}: {reason}',
    details: 'The history database (`--db`, default `$XDG_DATA_HOME/exposure-scanner/history.db`) could not be opened, created or written: a missing or read-only folder, a full disk, a file that is not SQLite, or a lock held by another process for longer than 5 s.',
    hint: 'The message names the file and SQLite\'s reason. Check the folder\'s permissions and free space, or pass another file with `--db`.',
  },
  EXP_ERR_DB_VERSION: {
    area: 'history',
    status: 500,
    exit: 2,
    summary: 'The history database was written by a newer exposure-scanner.',
    message: '{file} is at schema version {found}; this exposure-scanner knows up to {known}',
    details: 'The database\'s schema version is newer than this program knows: a newer exposure-scanner wrote it.',
    hint: 'Upgrade exposure-scanner, or use another file with `--db`. The file is never changed by an older program.',
  },
  EXP_ERR_DB_CURSOR: {
    area: 'history',
    status: 400,
    exit: 2,
    summary: 'A paging cursor is not one the history database gave out.',
    message: 'The cursor is not one this history gave out',
    details: 'A paging cursor (`cursor=` of `GET /v1/scans`) was not one the database gave out.',
    hint: 'Start again from the first page and follow `nextCursor`.',
  },
  EXP_ERR_DB_CONNECT: {
    area: 'history',
    status: 503,
    exit: 2,
    summary: 'The PostgreSQL history database could not be reached or refused the login.',
    message: 'History database {url}: {reason}',
    details: 'A `--db postgres://...` URL was given and the server could not be used: it does not answer on that host and port, refused the user or password, has no such database, or has no free connection. The URL is always shown with its password replaced by `***`.',
    hint: 'Check the server runs (`pg_isready -h HOST -p PORT`), the user and password in the URL (or `PGPASSWORD`, `~/.pgpass`), and that the database exists (`createdb -O USER NAME`).',
  },
  EXP_ERR_DB_TIMEOUT: {
    area: 'history',
    status: 503,
    exit: 2,
    summary: 'A statement on the PostgreSQL history database ran out of time.',
    message: 'History database {url}: {reason}',
    details: 'A statement took longer than the statement timeout (30 s), or waited on a lock held by another client for longer than the lock timeout (5 s).',
    hint: 'Try again; if it persists, look for long transactions on the server (`SELECT * FROM pg_stat_activity`).',
  },

  EXP_ERR_SCAN_NOT_FOUND: {
    area: 'history',
    status: 404,
    exit: 2,
    summary: 'No scan with that id is in the history.',
    message: 'No scan {id} in the history',
    details: 'No scan with that id is in the history (`exposure diff FROM TO`, the API).',
    hint: '`exposure history` lists the ids.',
  },
  EXP_ERR_SCAN_STATE: {
    area: 'history',
    status: 409,
    exit: 2,
    summary: 'The scan is not in a state that allows this change.',
    message: 'Scan {id} is {status}; {allowed}',
    details: 'The scan is not in a state that allows the change (finishing a scan that already failed, diffing a scan that has no report).',
    hint: 'Only done scans have reports; `exposure history` shows each scan\'s status.',
  },
  EXP_ERR_SCAN_INTERRUPTED: {
    area: 'history',
    status: null,
    exit: null,
    summary: 'The scan was running when its process stopped (crash, kill or restart).',
    message: 'The process running this scan stopped before it finished (crash, kill or restart)',
    details: 'Recorded on a scan, not raised: the scan was queued or running when its process stopped (crash, SIGKILL, reboot); found and marked when `watch` or `serve` starts again.',
    hint: 'Nothing to fix; the next scheduled run scans again. Frequent ones mean the process is being killed (out of memory, a service manager timeout).',
  },
  EXP_ERR_NOT_ENOUGH_HISTORY: {
    area: 'history',
    status: 404,
    exit: 2,
    summary: 'A diff needs two finished scans, and the history has fewer.',
    message: 'The history holds fewer than two finished scans; run another scan first',
    details: '`exposure diff` without ids needs two done scans in the history.',
    hint: 'Run `exposure scan --db FILE` (or let `watch` run) until there are two.',
  },
  EXP_ERR_SITE_INVALID: {
    area: 'history',
    status: 400,
    exit: 2,
    summary: 'A site name (--site, or site in a request) is not one the history accepts.',
    message: '{where} "{site}" is not a site name',
    details: 'A site names the home or office a scan, schedule or alert is about (`--site`, a request\'s `site`, the `site` query filter): 1 to 40 lower-case letters, digits, `-`, `_` or `.`, starting with a letter or digit. Scans that name none belong to the site `default`.',
    hint: 'Use a short lower-case name, e.g. `--site grandma-house` or `--site office.acme`.',
  },
  EXP_ERR_SCHEDULE_NOT_FOUND: {
    area: 'schedule',
    status: 404,
    exit: 2,
    summary: 'No schedule with that id or name exists.',
    message: 'No schedule {id}',
    details: 'No schedule with that id or name.',
    hint: 'List schedules (`GET /v1/schedules`).',
  },
  EXP_ERR_SCHEDULE_BUSY: {
    area: 'schedule',
    status: 409,
    exit: null,
    summary: 'A scan of this schedule is already queued or running.',
    message: 'Scan {scanId} of schedule {scheduleId} is still queued or running; this run is skipped',
    details: 'A scan of this schedule is already queued or running (in this or another process using the same database); the run is skipped, never run twice at once.',
    hint: 'Nothing to fix if it is rare; if every run is skipped, the scan takes longer than the interval: space the cron expression out or lower `--timeout`.',
  },
  EXP_ERR_SCHEDULE_INVALID: {
    area: 'schedule',
    status: 400,
    exit: 2,
    summary: 'A schedule is not valid: its cron expression, name, webhook or alert filter.',
    message: '{field}: {problem}',
    details: 'A schedule is not valid: a cron expression croner cannot parse, an empty name, a webhook that is not an http(s) URL without credentials, or an unknown `--alert-on`.',
    hint: 'The message names the field. Cron takes 5 fields (minute first) or 6 (seconds first), e.g. `0 */6 * * *`.',
  },
  EXP_ERR_WEBHOOK: {
    area: 'schedule',
    status: null,
    exit: null,
    summary: 'A webhook delivery failed; it stays queued and is retried.',
    message: 'Alert {id} to {origin} failed: {reason}',
    details: 'Logged, not fatal: a webhook delivery failed (refused, timed out, or a non-2xx answer). The alert stays in the outbox and is retried with backoff; 7 days after it was queued, its next failure abandons it (`... abandoned after N attempts`).',
    hint: 'Check the receiver is up and the URL is right; delivery resumes by itself. `exposure alerts` shows what waits and what was abandoned.',
  },
  EXP_ERR_WEBHOOK_PAYLOAD: {
    area: 'schedule',
    status: null,
    exit: null,
    summary: 'An alert body did not pass schemas/webhook-payload.schema.json, so it was not sent: a bug in exposure-scanner.',
    message: 'Alert {id} to {origin} was not sent: its body does not match schemas/webhook-payload.schema.json ({problem})',
    details: 'Recorded on the alert (status `abandoned`, the reason in `exposure alerts`) and logged: every body is checked against the published contract just before it would be sent, and one that does not pass is never sent, since a receiver written against the schema could misread it. Not retried: the same body would fail again.',
    hint: 'A bug in exposure-scanner: please report it with the reason `exposure alerts --status abandoned` shows. Other alerts are not affected.',
  },
  EXP_ERR_QNAP_DATA: {
    area: 'qnap',
    status: 500,
    exit: 2,
    summary: 'A QNAP fingerprint or advisory data file does not pass its schema.',
    message: '{file} is not valid: {problem}',
    details: '`probes/qnap/fingerprints.json` or `probes/qnap/vulnerabilities.json` does not pass its schema (`schemas/fingerprint.schema.json`, `schemas/vulnerability.schema.json`) or a check beyond it (a regex that does not compile, a fix not on its branch, a QuTS hero fix without its `h`).',
    hint: 'Fix the data file; `npx tap test/qnap/data.test.ts` names the entry at fault.',
  },
  EXP_ERR_NAS_NOT_ALLOWED: {
    area: 'qnap',
    status: 403,
    exit: 2,
    summary: 'An address given with --nas is not an IPv4 address on a network this machine is on.',
    message: '--nas {address} is not on a network this machine is attached to',
    details: '`--nas ADDRESS` is not an IPv4 address, or not on a network this machine is on.',
    hint: 'Give the NAS by its LAN IPv4 address (e.g. `--nas 192.168.1.20`); names and addresses elsewhere are refused, so a scan never probes someone else\'s machine.',
  },
  EXP_ERR_MYQNAPCLOUD_NAME: {
    area: 'qnap',
    status: 400,
    exit: 2,
    summary: 'A name given with --myqnapcloud is not a myQNAPcloud (QNAP DDNS) name.',
    message: '--myqnapcloud {name}: {problem}',
    details: '`--myqnapcloud NAME` is neither a bare device name (`mynas`, resolved as `mynas.myqnapcloud.com`) nor a name under one of QNAP\'s DDNS domains (`myqnapcloud.com`, `myqnapcloud.cn`, `mycloudnas.com`, `mynascloud.com`, `alpha-myqnapcloud.com`, `dev-myqnapcloud.com`).',
    hint: 'Give the device name you chose in myQNAPcloud, or its full myQNAPcloud name.',
  },
  EXP_ERR_DNS: {
    area: 'qnap',
    status: 502,
    exit: null,
    summary: 'A DNS lookup failed or timed out.',
    message: '{name}: {reason}',
    details: 'In the report (`myqnapcloud.names[].error`): a lookup failed: no such name (`ENOTFOUND`), no answer in time, or the resolver refused.',
    hint: 'Check the name; with `--dns-server`, check that the server answers. A name that does not exist is also a result: the device is not findable by it.',
  },
  EXP_ERR_TLS: {
    area: 'qnap',
    status: 502,
    exit: null,
    summary: 'A TLS handshake with a device failed or timed out.',
    message: 'TLS with {host}:{port} failed: {reason}',
    details: 'In the report (`hosts[].services[].error`): a TLS handshake with a device failed or timed out while reading its certificate.',
    hint: 'Nothing to fix: the port is probed over plain HTTP instead.',
  },
} as const satisfies Record<`EXP_ERR_${string}`, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

/** The parameter names of a message template: 'No scan {id} in {file}' gives 'id' | 'file'. */
export type TemplateParams<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}` ? Name | TemplateParams<Rest> : never;

/** What the template of `code` needs, e.g. { id: 3 } for EXP_ERR_SCAN_NOT_FOUND. */
export type MessageParams<Code extends ErrorCode> = { readonly [Name in TemplateParams<(typeof ERROR_REGISTRY)[Code]['message']>]: string | number };

export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_REGISTRY[code];
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_REGISTRY, value);
}

/** Fills a template; a parameter the caller did not give stays visible as {name} rather than vanishing. */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (whole, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    return value === undefined ? whole : String(value);
  });
}

/** A markdown hint as plain text for a terminal or a JSON message: the code spans lose their backticks. */
export function plainHint(hint: string): string {
  return hint.replace(/`([^`]*)`/g, '$1');
}
