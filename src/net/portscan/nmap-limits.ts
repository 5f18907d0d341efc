/** Largest nmap XML accepted: 65,535 ports with -sV is ~21 MB. Kept apart so the runner can bound nmap's output
 * without loading the XML parser before nmap has even started. */
export const MAX_NMAP_XML_CHARS = 64 * 1024 * 1024;
