import { TOOL_VERSION } from '../core/version.js';

export const MAIN_HELP = `exposure ${TOOL_VERSION}: what of your network can the internet reach?

Usage:
  exposure scan [options]     look at the router from inside: UPnP port mappings, external IP, NAT-PMP
  exposure --help | --version

Run "exposure scan --help" for the scan options.
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
