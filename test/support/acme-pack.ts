// A made-up vendor's pack (Acme BoxOS), valid against schemas/vendor-pack.schema.json: what a user's --vendor-pack
// folder holds. Shared by the user-pack tests and the rules that must honour such a pack.
export const acmeLogin = (version: string): string => `<!DOCTYPE html><html><head><title>Acme BoxOS</title></head><body><form id="login" data-version="${version}"></form></body></html>`;

export const ACME_PACK = {
  formatVersion: 1,
  id: 'acme',
  vendor: 'Acme',
  packVersion: '1.0.0',
  dataDate: '2026-11-30',
  productLines: [
    {
      id: 'boxos',
      name: 'BoxOS',
      kind: 'firmware',
      version: {
        pattern: '^(?<major>\\d{1,3})\\.(?<minor>\\d{1,3})(?:-(?<build>\\d{1,6}))?$',
        release: ['major', 'minor'],
        then: [{ group: 'build', compare: 'numeric' }],
        examples: { valid: ['2.1-300', '2.1'], invalid: ['v2', '2.1-x'], ordered: [['2.1-300', '2.1-301'], ['2.0-900', '2.1-1']] },
      },
      update: 'Settings > Update',
    },
  ],
  fingerprints: [
    {
      id: 'acme-boxos-login',
      name: 'BoxOS login page',
      kind: 'http',
      product: 'Acme BoxOS',
      safety: 'safe',
      request: { method: 'GET', path: '/login' },
      match: { all: [{ source: 'status', in: [200] }, { source: 'title', equals: 'Acme BoxOS' }, { source: 'body', contains: 'id="login"' }] },
      extract: [{ field: 'version', regex: 'data-version="([0-9.-]{1,20})"' }],
      confidence: 'high',
      identifies: true,
      productLine: 'boxos',
      adminUi: true,
      evidence: 'The BoxOS login page with its version attribute.',
      references: ['https://example.com/boxos-login'],
      examples: {
        positive: [{ description: 'BoxOS 2.1 login page', body: acmeLogin('2.1-300'), expect: { version: '2.1-300' } }],
        negative: [{ description: "A router's login page", body: '<html><head><title>Router</title></head></html>' }],
      },
    },
  ],
  advisories: [
    {
      id: 'ACME-SA-26-01',
      title: 'Login bypass',
      component: 'BoxOS',
      cve: [],
      kev: { listed: false },
      knownRansomware: false,
      affected: [{ productLine: 'boxos', fixes: [{ branch: '2.1', fixed: '2.1-301' }], olderBranches: 'affected', newerBranches: 'fixed' }],
      references: ['https://example.com/sa-26-01'],
    },
  ],
  remediation: [{ productLines: ['boxos'], steps: ['Update BoxOS.'], source: 'https://example.com/security' }],
};

