import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { opsProgram } from './cli-harness.js';

/**
 * The scheduling examples of docs/scheduling.md are real files under docs/scheduling/; this checks
 * each parses as what it claims to be and that every auditlake command line in them is one our
 * CLI accepts (commands and options exist, values parse), without running it.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'docs/scheduling');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

/** Splits a shell command line into words (quotes, no expansion). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g))
    words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

const SHELL_OPERATORS = new Set(['&&', '||', ';', '|', '2>&1']);

/** The arguments after each `auditlake` word, up to the next shell operator or redirection. */
function auditlakeCommands(line: string): string[][] {
  const words = shellWords(line);
  const out: string[][] = [];
  words.forEach((w, i) => {
    // The command itself, or an installed binary (not a directory such as /var/lib/auditlake).
    if (w !== 'auditlake' && !/\/bin\/auditlake(\.js)?$/.test(w)) return;
    const args: string[] = [];
    for (const next of words.slice(i + 1)) {
      if (SHELL_OPERATORS.has(next) || next.startsWith('>')) break;
      args.push(next);
    }
    out.push(args);
  });
  return out;
}

class Parsed extends Error {}

/** Parses argv with the real command definitions; stops before the action would run. */
async function acceptedByCli(
  argv: readonly string[],
): Promise<{ command: string; options: Record<string, unknown> }> {
  const program = opsProgram(() => {});
  let seen: { command: string; options: Record<string, unknown> } | null = null;
  program.hook('preAction', (_root, action) => {
    seen = { command: action.name(), options: action.opts() };
    throw new Parsed();
  });
  await expect(program.parseAsync([...argv], { from: 'user' })).rejects.toBeInstanceOf(Parsed);
  if (seen === null) throw new Error(`not parsed: ${argv.join(' ')}`);
  return seen;
}

const CRON_FIELD = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
] as const;

function validCronField(field: string, [min, max]: readonly [number, number]): boolean {
  return field.split(',').every((part) => {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return false;
    const nums = [m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number);
    const [lo, hi] = [m[2], m[3]].map((x) => (x === undefined ? undefined : Number(x)));
    if (lo !== undefined && (lo < min || lo > max)) return false;
    if (hi !== undefined && (hi < (lo ?? min) || hi > max)) return false;
    return nums.every((n) => Number.isInteger(n)) && (m[4] === undefined || Number(m[4]) > 0);
  });
}

function validCronSchedule(fields: readonly string[]): boolean {
  return fields.length === 5 && fields.every((f, i) => validCronField(f, CRON_FIELD[i] ?? [0, 0]));
}

/** A systemd unit file as section -> key -> values (keys may repeat). */
function systemdUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] ?? '', current);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`not a unit file line: ${line}`);
    current.set(kv[1] ?? '', [...(current.get(kv[1] ?? '') ?? []), kv[2] ?? '']);
  }
  return sections;
}

describe('docs/scheduling examples', () => {
  it('crontab: valid schedule lines that run `auditlake run` with options our CLI has', async () => {
    const jobs = read('crontab')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(jobs).toHaveLength(1);
    for (const job of jobs) {
      const fields = job.trim().split(/\s+/);
      expect(validCronSchedule(fields.slice(0, 5)), job).toBe(true);
      const commands = auditlakeCommands(fields.slice(5).join(' '));
      expect(commands.map((c) => c[0])).toEqual(['run']);
      for (const argv of commands) {
        const { options } = await acceptedByCli(argv);
        expect(options).toMatchObject({ config: '/etc/auditlake/auditlake.yaml', wait: '1800', quiet: true });
      }
    }
    expect(validCronSchedule(['61', '*', '*', '*', '*'])).toBe(false);
    expect(validCronSchedule(['*/15', '2-4', '*', '*', '1,3'])).toBe(true);
  });

  it('systemd: a oneshot service whose ExecStart invokes `auditlake run`, and a timer that starts it', async () => {
    const service = systemdUnit(read('auditlake.service'));
    const s = service.get('Service');
    expect(s?.get('Type')).toEqual(['oneshot']);
    expect(s?.get('User')).toEqual(['auditlake']);
    const [exec] = s?.get('ExecStart') ?? [];
    const commands = auditlakeCommands(exec ?? '');
    expect(commands.map((c) => c[0])).toEqual(['run']);
    await acceptedByCli(commands[0] ?? []);
    expect(s?.get('NoNewPrivileges')).toEqual(['yes']);

    const timer = systemdUnit(read('auditlake.timer'));
    expect(timer.get('Timer')?.get('Unit')).toEqual(['auditlake.service']);
    expect(timer.get('Timer')?.get('OnCalendar')?.[0]).toMatch(/^\*-\*-\* \d{2}:\d{2}:\d{2}/);
    expect(timer.get('Install')?.get('WantedBy')).toEqual(['timers.target']);
  });

  it('Kubernetes: a CronJob that forbids overlap and keeps the store on a persistent volume', async () => {
    const docs = parseAllDocuments(read('cronjob.yaml')).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    });
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'PersistentVolumeClaim', 'CronJob']);
    const cron = docs[2] as unknown as {
      spec: {
        schedule: string;
        concurrencyPolicy: string;
        jobTemplate: { spec: { template: { spec: Record<string, unknown> } } };
      };
    };
    expect(validCronSchedule(cron.spec.schedule.split(' '))).toBe(true);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec as {
      serviceAccountName: string;
      containers: {
        command: string[];
        env: { name: string; value?: string }[];
        volumeMounts: { name: string; mountPath: string }[];
      }[];
      volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    };
    expect(pod.serviceAccountName).toBe('auditlake');
    const [container] = pod.containers;
    expect(container?.command[0]).toBe('auditlake');
    await acceptedByCli(container?.command.slice(1) ?? []);
    // AUDITLAKE_DB lies on the volume backed by the claim declared above.
    const claim = docs[1]?.metadata.name;
    const volume = pod.volumes.find((v) => v.persistentVolumeClaim?.claimName === claim);
    const mount = container?.volumeMounts.find((m) => m.name === volume?.name);
    const db = container?.env.find((e) => e.name === 'AUDITLAKE_DB')?.value ?? '';
    expect(mount).toBeDefined();
    expect(db.startsWith(`${mount?.mountPath}/`)).toBe(true);
  });

  it('GitHub Actions: a schedule, a least-privilege token, no overlap, and an `auditlake run` step', async () => {
    const workflow = parse(read('workflow.yml')) as {
      on: { schedule: { cron: string }[] };
      permissions: Record<string, string>;
      concurrency: { group: string; 'cancel-in-progress': boolean };
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    expect(validCronSchedule(workflow.on.schedule[0]?.cron.split(' ') ?? [])).toBe(true);
    expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(workflow.concurrency['cancel-in-progress']).toBe(false);
    const commands = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .flatMap((s) => (s.run ?? '').split('\n'))
      .flatMap(auditlakeCommands);
    expect(commands.map((c) => c[0])).toEqual(['run']);
    for (const argv of commands) await acceptedByCli(argv);
  });

  it('an option the CLI does not have is caught (the check can fail)', async () => {
    const program = opsProgram(() => {});
    program.hook('preAction', () => {
      throw new Parsed();
    });
    await expect(program.parseAsync(['run', '--retries', '3'], { from: 'user' })).rejects.not.toBeInstanceOf(
      Parsed,
    );
  });

  it('docs/scheduling.md shows every example file and links the connectors’ least-privilege docs', () => {
    const doc = readFileSync(join(ROOT, 'docs/scheduling.md'), 'utf8');
    for (const file of ['crontab', 'auditlake.service', 'auditlake.timer', 'cronjob.yaml', 'workflow.yml']) {
      expect(doc).toContain(`scheduling/${file}`);
    }
    for (const link of doc.matchAll(/\]\((connectors\/[a-z]+\.md)(#[a-z-]+)?\)/g)) {
      expect(existsSync(join(ROOT, 'docs', link[1] ?? ''))).toBe(true);
    }
    expect(doc).toMatch(/connectors\/aws\.md/);
    expect(doc).toMatch(/connectors\/gcp\.md/);
    expect(doc).toMatch(/connectors\/azure\.md/);
  });
});
