import { resolveParams } from '../detect/detector-params.js';
import { type Detector, loadDetectors } from '../detect/load-detectors.js';
import { describeError } from '../errors.js';
import { type Adaptation, adaptPantherEvent, type PantherTest, readPantherTests } from './panther-events.js';
import { checkPantherMap, loadPantherMap, type RuleMapping } from './panther-map.js';
import { formatPercent, ratioCell } from './print-table.js';
import { ReplayStore } from './replay-store.js';
import type { Suite, SuiteContext, SuiteResult } from './suite.js';
import { PANTHER_THRESHOLDS } from './thresholds.js';

type Cloud = PantherTest['source'];
const CLOUDS: readonly Cloud[] = ['aws', 'gcp', 'azure'];

/** The detection window around a test's event: wide enough for any match detector, one event anyway. */
const WINDOW_MARGIN_MS = 3_600_000;

/** What happened to one test of a mapped rule. */
export type TestVerdict =
  | { kind: 'agree' | 'disagree'; fired: boolean; detail: string }
  | { kind: 'excluded'; reason: string }
  | { kind: 'other-cloud' };

export interface RuleTally {
  trueAgreed: number;
  trueTotal: number;
  falseAgreed: number;
  falseTotal: number;
  excluded: number;
}

export function emptyTally(): RuleTally {
  return { trueAgreed: 0, trueTotal: 0, falseAgreed: 0, falseTotal: 0, excluded: 0 };
}

/** Adds one verdict to a tally (other-cloud tests count nowhere). */
export function addVerdict(tally: RuleTally, expected: boolean, verdict: TestVerdict): void {
  if (verdict.kind === 'excluded') tally.excluded++;
  if (verdict.kind !== 'agree' && verdict.kind !== 'disagree') return;
  const agreed = verdict.kind === 'agree' ? 1 : 0;
  if (expected) {
    tally.trueTotal++;
    tally.trueAgreed += agreed;
  } else {
    tally.falseTotal++;
    tally.falseAgreed += agreed;
  }
}

/** Coverage per cloud: Panther rules with tests of that cloud, and how many of those we map. */
export function coverageByCloud(
  tests: readonly PantherTest[],
  covered: (rule: string, cloud: Cloud) => boolean,
): Map<Cloud, { rules: number; mapped: number }> {
  const rulesByCloud = new Map<Cloud, Set<string>>(CLOUDS.map((c) => [c, new Set<string>()]));
  for (const t of tests) rulesByCloud.get(t.source)?.add(t.rule);
  return new Map(
    CLOUDS.map((c) => {
      const rules = [...(rulesByCloud.get(c) ?? [])];
      return [c, { rules: rules.length, mapped: rules.filter((r) => covered(r, c)).length }];
    }),
  );
}

function cloudsOf(mapping: RuleMapping, detectors: ReadonlyMap<string, Detector>): Set<Cloud> {
  return new Set(mapping.detectors.flatMap((id) => detectors.get(id)?.header.sources ?? []));
}

/** Runs the mapped detectors over the test's own event (already loaded under its key). */
async function judge(
  store: ReplayStore,
  test: PantherTest,
  mapping: RuleMapping,
  detectors: ReadonlyMap<string, Detector>,
  loaded: PreparedTest,
): Promise<TestVerdict> {
  await store.select([loaded.key]);
  const window = await store.window(WINDOW_MARGIN_MS);
  const fired: string[] = [];
  if (window) {
    for (const id of mapping.detectors) {
      const detector = detectors.get(id);
      if (!detector) continue;
      const params = { ...resolveParams(detector), ...(mapping.params[id] ?? {}) };
      const rows = await store.run(detector, window, params);
      if (rows.length > 0) fired.push(id);
    }
  }
  const didFire = fired.length > 0;
  // 'event id made unique' is on nearly every test and changes nothing a detector reads.
  const shown = loaded.adaptations.filter((a) => a !== 'event id made unique');
  const detail = [
    didFire ? `fired: ${fired.join(', ')}` : 'silent',
    loaded.errors.length > 0 ? `not ingested (${loaded.errors.join('; ')})` : '',
    shown.length > 0 ? `adapted: ${shown.join(', ')}` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  return { kind: didFire === test.expected ? 'agree' : 'disagree', fired: didFire, detail };
}

interface PreparedTest {
  readonly key: string;
  readonly adaptations: readonly Adaptation[];
  errors: string[];
}

/** Adapts and ingests every test of the mapped rules at once (see ReplayStore), then locks the store. */
async function prepare(
  store: ReplayStore,
  tests: readonly PantherTest[],
): Promise<Map<number, PreparedTest>> {
  const prepared = new Map<number, PreparedTest>();
  const cases = tests.map((t) => {
    const { record, adaptations } = adaptPantherEvent(t);
    const key = `panther:${t.line}`;
    prepared.set(t.line, { key, adaptations, errors: [] });
    return { key, records: [JSON.stringify(record)] };
  });
  const errors = await store.loadCases(cases);
  for (const p of prepared.values()) p.errors = errors.get(p.key) ?? [];
  await store.lock();
  return prepared;
}

async function run(context: SuiteContext): Promise<SuiteResult> {
  const tests = readPantherTests(context.corporaDir);
  const map = loadPantherMap();
  const { detectors: loaded } = loadDetectors();
  const detectors = new Map(loaded.map((d) => [d.id, d]));
  const failures: string[] = [];
  const notes: string[] = [];

  const testsByRule = new Map<string, PantherTest[]>();
  for (const t of tests) testsByRule.set(t.rule, [...(testsByRule.get(t.rule) ?? []), t]);
  const problems = checkPantherMap(
    map,
    new Map(loaded.map((d) => [d.id, { params: d.header.params }])),
    new Map([...testsByRule].map(([rule, ts]) => [rule, ts.map((t) => t.name)])),
  );
  failures.push(...problems.map((p) => `panther-map.yaml: ${p}`));

  const rows: string[][] = [];
  const total = emptyTally();
  const unexpected: string[] = [];
  const nowAgreeing: string[] = [];
  const excludedNotes: string[] = [];
  const notIngested: string[] = [];
  const store = await ReplayStore.open();
  try {
    const toLoad = Object.entries(map.rules).flatMap(([rule, mapping]) => {
      const clouds = cloudsOf(mapping, detectors);
      return (testsByRule.get(rule) ?? []).filter(
        (t) => clouds.has(t.source) && !mapping.exclude.some((e) => e.test === t.name),
      );
    });
    const prepared = await prepare(store, toLoad);
    for (const [rule, mapping] of Object.entries(map.rules)) {
      const clouds = cloudsOf(mapping, detectors);
      const tally = emptyTally();
      let otherCloud = 0;
      for (const test of testsByRule.get(rule) ?? []) {
        const excluded = mapping.exclude.find((e) => e.test === test.name);
        let verdict: TestVerdict;
        if (!clouds.has(test.source)) {
          verdict = { kind: 'other-cloud' };
          otherCloud++;
        } else if (excluded) {
          verdict = { kind: 'excluded', reason: excluded.reason };
          excludedNotes.push(`  ${rule} / ${test.name} (line ${test.line}): ${excluded.reason}`);
        } else {
          const loaded = prepared.get(test.line);
          if (!loaded) throw new Error(`${rule} / ${test.name} was not prepared`);
          if (loaded.errors.length > 0) {
            // An event our ingest rejects cannot be judged; one that is no real record (a
            // fragment) belongs in `exclude` with its reason, anything else is a regression.
            notIngested.push(`${rule} / ${test.name} (line ${test.line}): ${loaded.errors.join('; ')}`);
            continue;
          }
          try {
            verdict = await judge(store, test, mapping, detectors, loaded);
          } catch (error) {
            // A detector that errors is a regression of the library, not a disagreement.
            failures.push(`${rule} / ${test.name}: ${describeError(error).split('\n')[0] ?? ''}`);
            continue;
          }
        }
        addVerdict(tally, test.expected, verdict);
        const known = mapping.known_disagreements.find((k) => k.test === test.name);
        if (verdict.kind === 'disagree' && !known) {
          unexpected.push(
            `  ${rule} / ${test.name} (line ${test.line}${test.mocked ? ', mocked' : ''}): Panther ${test.expected}, ours ${verdict.fired}; ${verdict.detail}`,
          );
        } else if (verdict.kind === 'agree' && known) {
          nowAgreeing.push(
            `  ${rule} / ${test.name} (line ${test.line}): now agrees; remove it from known_disagreements`,
          );
        }
      }
      for (const k of mapping.known_disagreements) {
        const test = testsByRule.get(rule)?.find((t) => t.name === k.test);
        if (test)
          notes.push(
            `  known: ${rule} / ${k.test} (line ${test.line}, Panther ${test.expected}): ${k.reason}`,
          );
      }
      const evaluated = tally.trueTotal + tally.falseTotal;
      if (evaluated === 0) failures.push(`${rule}: mapped, but none of its tests was evaluated`);
      total.trueAgreed += tally.trueAgreed;
      total.trueTotal += tally.trueTotal;
      total.falseAgreed += tally.falseAgreed;
      total.falseTotal += tally.falseTotal;
      total.excluded += tally.excluded;
      rows.push([
        rule,
        mapping.detectors.join(', '),
        ratioCell(tally.trueAgreed, tally.trueTotal),
        ratioCell(tally.falseAgreed, tally.falseTotal),
        ratioCell(tally.trueAgreed + tally.falseAgreed, evaluated),
        String(tally.excluded + otherCloud),
      ]);
    }
  } finally {
    store.close();
  }

  if (notIngested.length > 0) {
    failures.push(
      `${notIngested.length} test event(s) of mapped rules not ingested and not excluded in panther-map.yaml:\n    ${notIngested.join('\n    ')}`,
    );
  }
  const agreed = total.trueAgreed + total.falseAgreed;
  const evaluated = total.trueTotal + total.falseTotal;
  rows.push([
    '**total**',
    `${Object.keys(map.rules).length} rules`,
    ratioCell(total.trueAgreed, total.trueTotal),
    ratioCell(total.falseAgreed, total.falseTotal),
    ratioCell(agreed, evaluated),
    String(total.excluded),
  ]);

  const coverage = coverageByCloud(tests, (rule, cloud) => {
    const mapping = map.rules[rule];
    return mapping !== undefined && cloudsOf(mapping, detectors).has(cloud);
  });
  const allRules = new Set(tests.map((t) => t.rule));
  const mappedRules = Object.keys(map.rules).filter((r) => allRules.has(r)).length;
  const coverageLines = [
    'Coverage (Panther rules with labeled events for the cloud; mapped = one of our detectors asks the same question):',
    ...[...coverage].map(
      ([cloud, c]) => `  ${cloud.padEnd(6)} ${c.mapped}/${c.rules} rules ${formatPercent(c.mapped, c.rules)}`,
    ),
    `  all    ${mappedRules}/${allRules.size} distinct rules ${formatPercent(mappedRules, allRules.size)}`,
  ];

  const pct = (a: number, n: number) => (n === 0 ? 0 : (100 * a) / n);
  const checks: [string, number, { min: number; why: string }][] = [
    ['agreement', pct(agreed, evaluated), PANTHER_THRESHOLDS.agreement],
    ['true events fired on', pct(total.trueAgreed, total.trueTotal), PANTHER_THRESHOLDS.trueFired],
    ['false events silent on', pct(total.falseAgreed, total.falseTotal), PANTHER_THRESHOLDS.falseSilent],
  ];
  for (const [what, value, threshold] of checks) {
    if (value < threshold.min) {
      failures.push(
        `${what} ${value.toFixed(1)}% is below the threshold ${threshold.min}% (${threshold.why})`,
      );
    }
  }
  if (mappedRules < PANTHER_THRESHOLDS.mappedRules.min) {
    failures.push(
      `${mappedRules} mapped rules, below the threshold ${PANTHER_THRESHOLDS.mappedRules.min} (${PANTHER_THRESHOLDS.mappedRules.why})`,
    );
  }

  return {
    name: 'Panther labeled events (detectors)',
    columns: [
      'panther rule',
      'our detector(s)',
      'true: fired',
      'false: silent',
      'agreement',
      'not evaluated',
    ],
    rows,
    notes: [
      ...coverageLines,
      '',
      `Tests: ${tests.length} in the corpus; evaluated ${evaluated} of the mapped rules, ${total.excluded} excluded with a reason (below); "not evaluated" also counts tests of a cloud the detector does not read.`,
      ...(notes.length > 0 ? ['', 'Known disagreements (panther-map.yaml):', ...notes] : []),
      ...(unexpected.length > 0 ? ['', 'Disagreements not listed in panther-map.yaml:', ...unexpected] : []),
      ...(nowAgreeing.length > 0 ? ['', 'Listed disagreements that now agree:', ...nowAgreeing] : []),
      ...(excludedNotes.length > 0 ? ['', 'Excluded tests:', ...excludedNotes] : []),
    ],
    failures,
  };
}

export const pantherSuite: Suite = { name: 'panther', run };
