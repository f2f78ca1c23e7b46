import { describe, expect, it } from 'vitest';
import { flagTable } from '../../src/cli/help-table.js';

describe('flagTable: the flag lists of every --help', () => {
  it('aligns descriptions across all rows given to align, and ends each with its default', () => {
    const rows = [
      { flag: '--name NAME', what: 'image name', required: true as const },
      { flag: '--dry-run', what: 'write nothing', default: 'off' },
      { flag: '-h, --help', what: 'show this help' },
    ];
    const wider = [...rows, { flag: '--gitlab-namespace NS', what: 'x' }];
    expect(flagTable(rows, wider)).toBe(
      [
        '  --name NAME            image name  [required]',
        '  --dry-run              write nothing  [default: off]',
        '  -h, --help             show this help',
        '',
      ].join('\n'),
    );
  });

  it('puts a default that would pass 100 columns on the next line, under the description', () => {
    const what = 'x'.repeat(70);
    expect(flagTable([{ flag: '--long', what, default: 'the default' }])).toBe(`  --long  ${what}\n          [default: the default]\n`);
  });

  it('keeps two spaces after a name wider than the column, and says what a required flag allows', () => {
    const out = flagTable(
      [
        { flag: 'GCP_SERVICE_ACCOUNT_KEY_FILE', what: 'path of the key' },
        { flag: '--project PATH', what: 'the project', required: 'except with --create' },
      ],
      [{ flag: '--project PATH', what: '' }],
    );
    expect(out).toBe('  GCP_SERVICE_ACCOUNT_KEY_FILE  path of the key\n  --project PATH  the project  [required, except with --create]\n');
  });
});
