import { readFileSync } from 'node:fs';
import type { HqContext } from '../context';
import { viaServer, type RunningServer } from '../staff/operator-client';
import { diffProgrammes, type DiffLine } from '../../shared/programme/diff';
import { validateProgramme, type Problem } from '../../shared/programme/validate';
import { documentInForce, programmeHistory, publishProgramme, type PublishedVersion, type PublishOutcome } from './programme-store';

type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;

export const PROGRAMME_USAGE = 'usage: hq programme validate FILE | publish FILE | history | diff FILE   (the programme document, src/hq/programme)';

/** A JSON file, or a problem saying why not (no stack: the operator reads it). */
function readDocument(file: string | undefined): { ok: true; raw: unknown } | { ok: false; message: string } {
  if (file === undefined) return { ok: false, message: PROGRAMME_USAGE };
  try {
    return { ok: true, raw: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function printProblems(problems: readonly Problem[]): void {
  for (const p of problems) console.log(`${p.severity === 'error' ? 'ERREUR' : 'attention'}\t${p.path || '(document)'}\t${p.fr}\t[${p.key}]`);
}

const printDiff = (lines: readonly DiffLine[]) => {
  if (lines.length === 0) console.log('aucune différence');
  for (const l of lines) console.log(l.text);
};

/** The problems a refused publication lists, from the server's 422 (viaServer throws its body). */
function refusedThroughServer(error: unknown): Problem[] | null {
  try {
    const body = JSON.parse(error instanceof Error ? error.message : '') as { error?: { problems?: Problem[] } };
    return body.error?.problems ?? null;
  } catch {
    return null;
  }
}

/**
 *   npm run hq -- programme validate FILE   every problem of a draft, nothing written
 *   npm run hq -- programme publish FILE    validated, signed by HQ, stored; refused with every problem otherwise
 *   npm run hq -- programme history         every version, the latest effective first
 *   npm run hq -- programme diff FILE       what a draft changes from the version in force
 * Through the running HQ when there is one, else on its database. Null: not a programme command.
 */
export async function runProgrammeCommand(args: string[], server: RunningServer | null, direct: Direct): Promise<number | null> {
  const sub = args[0];
  if (sub === 'history') {
    const history = server
      ? ((await viaServer(server, 'GET', '/v1/programme')) as { history: PublishedVersion[] }).history
      : await direct((ctx) => programmeHistory(ctx.sql, ctx.clock.now()));
    if (history.length === 0) console.log('aucune version publiée : le programme par défaut s’applique');
    for (const v of history) {
      console.log(`${v.version}\t${v.status}\teffet ${new Date(v.effectiveFrom).toISOString()}\tpubliée ${new Date(v.publishedAt).toISOString()} par ${v.publishedBy}`);
    }
    return 0;
  }
  if (sub !== 'validate' && sub !== 'publish' && sub !== 'diff') return null;
  const read = readDocument(args[1]);
  if (!read.ok) {
    console.error(read.message);
    return 2;
  }
  if (sub === 'validate') {
    const check = validateProgramme(read.raw);
    printProblems(check.problems);
    console.log(check.ok ? `programme ${check.document.version} valide` : `programme refusé : ${check.problems.filter((p) => p.severity === 'error').length} problème(s)`);
    return check.ok ? 0 : 1;
  }
  if (sub === 'diff') {
    const lines = server
      ? ((await viaServer(server, 'POST', '/v1/programme/validate', { document: read.raw })) as { preview: { diff: DiffLine[] } | null }).preview?.diff
      : await direct(async (ctx) => diffProgrammes(await documentInForce(ctx.sql, ctx.clock.now()), read.raw));
    if (lines === undefined) {
      console.log('programme invalide : `programme validate` dit pourquoi');
      return 1;
    }
    printDiff(lines);
    return 0;
  }
  let outcome: PublishOutcome;
  if (server) {
    try {
      const answer = (await viaServer(server, 'POST', '/v1/programme/publish', { document: read.raw })) as { version: PublishedVersion; problems: Problem[] };
      outcome = { ok: true, ...answer };
    } catch (error) {
      const problems = refusedThroughServer(error);
      if (problems === null) throw error;
      outcome = { ok: false, problems };
    }
  } else {
    outcome = await direct((ctx) => publishProgramme(ctx, read.raw, 'cli'));
  }
  printProblems(outcome.problems);
  if (!outcome.ok) {
    console.log('programme refusé, rien n’est publié');
    return 1;
  }
  console.log(`programme ${outcome.version.version} publié, en vigueur le ${new Date(outcome.version.effectiveFrom).toISOString()} (${outcome.version.status})`);
  return 0;
}
