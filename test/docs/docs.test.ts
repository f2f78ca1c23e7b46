/**
 * The docs site (mkdocs.yml + docs/) stays true to the tool:
 * - every flag the built bins list in --help is on the flags reference page,
 *   in the section of its command, with the default --help gives it;
 * - `mkdocs build --strict` passes (a link to a missing page fails it), and
 *   every link of the built site resolves, anchors included;
 * - every page is in the nav; every troubleshooting anchor src/ points at exists;
 * - docs/session.md is what scripts/record-session.sh records now.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_URL } from '../../generators/shared/docs.js';
import { CREATE_BIN, MLOPS_BIN, removeDir, ROOT, run, tempDir } from '../support/cli.js';
import { checkPipeline, jobNames, parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';

const DOCS = join(ROOT, 'docs');
const FLAGS_PAGE = readFileSync(join(DOCS, 'reference/flags.md'), 'utf8');
const PYTHON = '/usr/bin/python3';

/** Every file under `dir`, relative, POSIX. */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

interface HelpEntry {
  flags: string[];
  default: string | undefined;
  /** `[required]` or `[required, ...]`. */
  required: boolean;
}

/** The flag entries of a --help text: an entry starts with an indented `-x, --flag` or `--flag`; deeper-indented lines continue it. */
function helpEntries(help: string): HelpEntry[] {
  const entries: HelpEntry[] = [];
  let current: { flags: string[]; lines: string[] } | undefined;
  const close = (): void => {
    if (!current) return;
    const line = current.lines.find((l) => l.includes('default: '));
    const value = line?.slice(line.indexOf('default: ') + 'default: '.length).trim().replace(/\]$/, '');
    entries.push({ flags: current.flags, default: value, required: current.lines.some((l) => l.includes('[required')) });
    current = undefined;
  };
  for (const line of help.split('\n')) {
    const option = /^ {2,6}((?:-[A-Za-z], )?--[a-z][a-z0-9-]*)(.*)$/.exec(line);
    if (option) {
      close();
      current = { flags: option[1]!.split(', '), lines: [option[2]!] };
    } else if (current && /^ {12,}\S/.test(line)) current.lines.push(line);
    else close();
  }
  close();
  return entries;
}

/** Every `--flag` token of a help text, and the short flags of its option lines. */
function helpFlags(help: string): string[] {
  const long = help.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [];
  const short = [...help.matchAll(/^ +(-[A-Za-z]), --/gm)].map((m) => m[1]!);
  return [...new Set([...long, ...short])].sort();
}

/** The `## ` sections of a page, by heading line. */
function sections(page: string): Map<string, string> {
  const out = new Map<string, string>();
  let title = '';
  for (const line of page.split('\n')) {
    if (line.startsWith('## ')) title = line;
    out.set(title, `${out.get(title) ?? ''}${line}\n`);
  }
  return out;
}

function sectionOf(id: string): string {
  const found = [...sections(FLAGS_PAGE)].find(([title]) => title.endsWith(`{#${id}}`));
  if (!found) throw new Error(`docs/reference/flags.md has no section {#${id}}`);
  return found[1];
}

/**
 * Troubleshooting anchors a source file points at: a URL or path
 * (`troubleshooting/#anchor`, `troubleshooting.md#anchor`), a `docs: 'anchor'`
 * option of a UserError, a `troubleshootingUrl('anchor')` call, or a member
 * (`  | 'anchor'`) of the TroubleshootingAnchor type every UserError names.
 */
function troubleshootingAnchors(text: string): string[] {
  const pattern =
    /troubleshooting(?:\/|\.md)#([A-Za-z0-9_-]+)|\bdocs:\s*['"]([a-z0-9-]+)['"]|troubleshootingUrl\(\s*['"]([a-z0-9-]+)['"]|^\s*\|\s*'([a-z0-9-]+)'/gm;
  return [...text.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!);
}

/** A flag as a code span on the page: `--flag`, `--flag VALUE`, `-y`. */
const codeSpan = (flag: string): RegExp => new RegExp(`\`${flag}(?=[\` =])`);
/** The last cell of a table row: every flags table has its default there. */
const defaultCell = (row: string): string => row.replace(/\|\s*$/, '').split(/(?<!\\)\|/).at(-1) ?? '';
const normalize = (text: string): string => text.replace(/[`\\]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();

const helps: Record<string, string> = {};
beforeAll(async () => {
  const calls: Record<string, [string, string[]]> = {
    create: [CREATE_BIN, ['--help']],
    mlops: [MLOPS_BIN, ['--help']],
    image: [MLOPS_BIN, ['image', '--help']],
    'gitlab-variables': [MLOPS_BIN, ['gitlab-variables', '--help']],
    'set-registry': [MLOPS_BIN, ['set-registry', '--help']],
  };
  for (const [name, [bin, args]] of Object.entries(calls)) {
    const result = await run(bin, args, ROOT);
    expect(result.exitCode, result.stderr).toBe(0);
    helps[name] = result.stdout;
  }
});

describe('the flags reference page', () => {
  // Which section of docs/reference/flags.md documents which --help.
  const SECTIONS = {
    create: 'create-mlops-project',
    image: 'mlops-project-image',
    'gitlab-variables': 'mlops-project-gitlab-variables',
    'set-registry': 'mlops-project-set-registry',
  } as const;

  it.each(Object.entries(SECTIONS))('has every flag of the %s --help in its section', (help, id) => {
    const section = sectionOf(id);
    const flags = helpFlags(helps[help]!);
    expect(flags.length).toBeGreaterThan(3);
    expect(flags.filter((flag) => !codeSpan(flag).test(section))).toEqual([]);
  });

  it('has every flag of mlops-project --help', () => {
    const flags = helpFlags(helps.mlops!);
    expect(flags).toEqual(expect.arrayContaining(['--name', '--gitlab-project', '--version', '-V']));
    expect(flags.filter((flag) => !codeSpan(flag).test(FLAGS_PAGE))).toEqual([]);
  });

  it('has every command of mlops-project --help', () => {
    const block = /\nCommands:\n([\s\S]*?)\n\n/.exec(helps.mlops!)?.[1] ?? '';
    const commands = [...block.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['image', 'gitlab-variables', 'set-registry', 'help']));
    const section = sectionOf('mlops-project');
    expect(commands.filter((command) => !section.includes(`| \`${command}\``))).toEqual([]);
  });

  it.each(Object.entries(SECTIONS))('gives each flag of the %s --help the default --help gives', (help, id) => {
    const rows = sectionOf(id).split('\n').filter((line) => line.startsWith('|'));
    const entries = helpEntries(helps[help]!);
    expect(entries.filter((e) => e.default !== undefined).length).toBeGreaterThan(1);
    const wrong: string[] = [];
    for (const entry of entries) {
      const flag = entry.flags.at(-1)!;
      const row = rows.find((r) => codeSpan(flag).test(r.split('|')[1] ?? ''));
      if (row === undefined) wrong.push(`${flag}: no table row`);
      else if (entry.default !== undefined && !normalize(defaultCell(row)).includes(normalize(entry.default)))
        wrong.push(`${flag}: --help says default: ${entry.default}; the page's default column says: ${defaultCell(row)}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(['create', 'mlops', 'image', 'gitlab-variables'])('gives every flag of the %s --help a default or [required] (but --help, --version)', (help) => {
    const entries = helpEntries(helps[help]!);
    expect(entries.length).toBeGreaterThan(3);
    const bare = entries.filter((e) => e.default === undefined && !e.required && !e.flags.includes('--help') && !e.flags.includes('--version'));
    expect(bare.map((e) => e.flags.join(', '))).toEqual([]);
  });

  it('parses help texts as intended', () => {
    const entries = helpEntries(helps['gitlab-variables']!);
    expect(entries.find((e) => e.flags.includes('--gitlab-project'))?.default).toBe('NAMESPACE/<repo name>');
    expect(entries.find((e) => e.flags.includes('--help'))?.flags).toEqual(['-h', '--help']);
    expect(helpFlags(helps.create!)).toEqual(expect.arrayContaining(['-y', '--yes', '--no-git', '--no-protected', '--gitlab-url']));
    expect(helpFlags(helps.create!)).not.toContain('--');
  });
});

describe('the site', () => {
  let site: string;
  let htmlFiles: string[];
  const ids = new Map<string, Set<string>>();
  let build: { exitCode: number; output: string };

  beforeAll(async () => {
    site = tempDir('cmp-site-');
    const result = await execa(PYTHON, ['-m', 'mkdocs', 'build', '--strict', '--site-dir', site], {
      cwd: ROOT,
      reject: false,
      all: true,
      env: { NO_COLOR: '1' },
    });
    build = { exitCode: result.exitCode ?? -1, output: String(result.all) };
    htmlFiles = existsSync(site) ? walk(site).filter((f) => f.endsWith('.html')) : [];
    for (const file of htmlFiles) {
      const html = readFileSync(join(site, file), 'utf8');
      ids.set(file, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
    }
  });
  afterAll(() => removeDir(site));

  it('builds with mkdocs build --strict, without a warning', () => {
    expect(build.exitCode, build.output).toBe(0);
    expect(build.output).not.toMatch(/WARNING/);
    expect(htmlFiles).toContain('reference/flags/index.html');
  });

  it('has every page of docs/ in the nav', () => {
    const config = readFileSync(join(ROOT, 'mkdocs.yml'), 'utf8');
    const pages = walk(DOCS).filter((f) => f.endsWith('.md'));
    expect(pages.filter((page) => !config.includes(`: ${page}\n`))).toEqual([]);
  });

  it('has no link to a missing page or a missing anchor', () => {
    const broken: string[] = [];
    for (const file of htmlFiles) {
      const html = readFileSync(join(site, file), 'utf8');
      for (const [, href] of html.matchAll(/\shref="([^"]*)"/g)) {
        if (href === undefined || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;
        const [path = '', fragment] = href.split('#');
        // 404.html links from the site's root path (site_url), as it is served from any depth.
        const base = new URL(DOCS_URL).pathname;
        let target =
          path === '' ? file
          : path.startsWith('/') ? posix.normalize(posix.join('.', decodeURI(path.startsWith(base) ? path.slice(base.length) : path)))
          : posix.normalize(posix.join(posix.dirname(file), decodeURI(path)));
        if (target.endsWith('/') || path.endsWith('/') || existsSync(join(site, target)) && statSync(join(site, target)).isDirectory())
          target = posix.join(target, 'index.html');
        if (!existsSync(join(site, target))) {
          broken.push(`${file}: ${href} (no ${target})`);
          continue;
        }
        if (fragment === undefined || fragment === '' || !target.endsWith('.html')) continue;
        if (!ids.get(target)?.has(decodeURIComponent(fragment))) broken.push(`${file}: ${href} (no id "${fragment}" in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has no list glued to the paragraph before it (Python-Markdown would render it as text)', () => {
    const glued: string[] = [];
    for (const page of walk(DOCS).filter((f) => f.endsWith('.md'))) {
      let fenced = false;
      let previous = '';
      readFileSync(join(DOCS, page), 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*```/.test(line)) fenced = !fenced;
        const item = /^(?:[-*]|\d+\.) /;
        if (!fenced && item.test(line) && previous.trim() !== '' && !item.test(previous) && !/^\s/.test(previous) && !previous.startsWith('|'))
          glued.push(`docs/${page}:${i + 1}: ${line}`);
        previous = line;
      });
    }
    expect(glued).toEqual([]);
  });

  it('has every troubleshooting anchor that src/ points at', () => {
    const anchors = ids.get('troubleshooting/index.html');
    expect(anchors).toBeDefined();
    expect(troubleshootingAnchors("hint: 'see troubleshooting/#target-not-empty', x: 'troubleshooting.md#b', docs: 'c', y: troubleshootingUrl('d')\n  | 'e'"))
      .toEqual(['target-not-empty', 'b', 'c', 'd', 'e']);
    expect(troubleshootingAnchors(readFileSync(join(ROOT, 'generators/shared/docs.ts'), 'utf8')).length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const file of walk(join(ROOT, 'src')).filter((f) => f.endsWith('.ts')))
      for (const anchor of troubleshootingAnchors(readFileSync(join(ROOT, 'src', file), 'utf8')))
        if (!anchors!.has(anchor)) missing.push(`src/${file}: troubleshooting#${anchor}`);
    expect(missing).toEqual([]);
  });

  it('is published where errors point: DOCS_URL is package.json homepage and mkdocs.yml site_url', () => {
    const { homepage } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { homepage?: string };
    const siteUrl = /^site_url: (\S+)$/m.exec(readFileSync(join(ROOT, 'mkdocs.yml'), 'utf8'))?.[1];
    expect(DOCS_URL).toMatch(/^https:\/\/.+\/$/);
    expect([homepage, siteUrl]).toEqual([DOCS_URL, DOCS_URL]);
  });

  it("is what this repo's .gitlab-ci.yml publishes: a valid pipeline whose pages job runs the same build", () => {
    const text = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');
    expect(checkPipeline(text)).toEqual([]);
    const ci = parseCi(text);
    expect(jobNames(ci).sort()).toEqual(['docs', 'pages']);
    for (const job of ['docs', 'pages']) expect(scriptOf(ci, job)).toContain('python3 -m mkdocs build --strict --site-dir public');
    expect(resolveJob(ci, 'pages').artifacts).toEqual({ paths: ['public'] });
  });

  it.each([
    ['create: a bad answer', CREATE_BIN, ['app', '--repo-name', 'Bad_Name', '--yes'], 'invalid-answer'],
    ['create: a bad registry', CREATE_BIN, ['app', '--registry', 'https://harbor.example.com/x', '--yes'], 'invalid-registry'],
    ['create: a misspelled flag', CREATE_BIN, ['--registy', 'x'], 'unknown-option'],
    ['create: no answers, no terminal', CREATE_BIN, ['app'], 'missing-answers'],
    ['mlops-project: an unknown command', MLOPS_BIN, ['images'], 'unknown-command'],
    ['mlops-project image: outside a generated repo', MLOPS_BIN, ['image', '--name', 'serving'], 'not-a-generated-repo'],
    ['mlops-project set-registry: no registry given', MLOPS_BIN, ['set-registry'], 'set-registry'],
    ['mlops-project gitlab-variables: a misspelled flag', MLOPS_BIN, ['gitlab-variables', '--gitlab-projet', 'a/b'], 'unknown-option'],
  ])('%s: the error ends with the address of the section that explains it', async (_, bin, args, anchor) => {
    const cwd = tempDir('cmp-docs-error-');
    try {
      const result = await run(bin, args, cwd, { GITLAB_TOKEN: '' });
      expect(result.exitCode).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^error \S/);
      const url = lines.at(-1)!.replace(/^docs: /, '');
      expect(url).toBe(`${DOCS_URL}troubleshooting/#${anchor}`);
      const [path, fragment] = url.slice(DOCS_URL.length).split('#');
      expect(ids.get(`${path}index.html`)?.has(fragment!), `no id "${fragment}" on ${path}`).toBe(true);
    } finally {
      removeDir(cwd);
    }
  });

  it('has a page for every docs address the --help texts give', () => {
    const missing: string[] = [];
    for (const [name, help] of Object.entries(helps)) {
      const urls = help.match(new RegExp(`${DOCS_URL.replace(/[.]/g, '\\.')}\\S*`, 'g')) ?? [];
      expect(urls.length, `${name} --help names no docs address`).toBeGreaterThan(0);
      for (const url of urls) {
        const [path = '', fragment] = url.slice(DOCS_URL.length).split('#');
        const page = `${path}index.html`;
        if (!htmlFiles.includes(page) || (fragment !== undefined && !ids.get(page)?.has(fragment))) missing.push(`${name}: ${url}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every troubleshooting section an explicit, stable anchor', () => {
    const page = readFileSync(join(DOCS, 'troubleshooting.md'), 'utf8');
    const headings = page.split('\n').filter((line) => /^#{2,3} /.test(line));
    expect(headings.length).toBeGreaterThan(20);
    expect(headings.filter((h) => !/ \{#[a-z0-9-]+\}$/.test(h))).toEqual([]);
  });
});

describe('the recorded session', () => {
  it('docs/session.md is what scripts/record-session.sh records now (run it after changing a prompt)', async () => {
    const dir = tempDir('cmp-session-');
    try {
      const out = join(dir, 'session.md');
      const result = await execa('bash', [join(ROOT, 'scripts/record-session.sh'), out], { cwd: ROOT, reject: false, all: true });
      expect(result.exitCode, String(result.all)).toBe(0);
      const recorded = readFileSync(out, 'utf8');
      expect(recorded).toContain('✔ Image builder in CI buildah');
      expect(recorded, 'docs/session.md is stale: run scripts/record-session.sh').toBe(readFileSync(join(DOCS, 'session.md'), 'utf8'));
    } finally {
      removeDir(dir);
    }
  }, 60_000);
});
