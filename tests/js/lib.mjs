// What the JS client scripts share: arguments, checks, and running independent flows.
//
// Each script runs named flows one after another; a failing flow does not stop the others.
// The last line printed is one JSON document {"flows": {name: {ok, steps, error?, ...}}};
// the exit code is 0 only when every flow passed. The pytest wrappers read that line.

export class CheckFailed extends Error {}

/** Throws CheckFailed(message) unless condition holds. */
export function check(condition, message) {
    if (!condition) {
        throw new CheckFailed(message);
    }
}

/** Checks a === b by JSON form and says what was found. */
export function checkEqual(actual, expected, what) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    check(a === e, `${what}: expected ${e}, got ${a}`);
}

/** The array ESP wraps in an object ({"Item": [...]}, {"DFULogicalFile": [...]}); checks it is one. */
export function wrapped(holder, key, what) {
    check(holder && typeof holder === "object", `${what}: expected an object holding "${key}", got ${JSON.stringify(holder)}`);
    const list = holder[key];
    check(Array.isArray(list), `${what}.${key}: expected a JSON array (ESP wraps every list, even of one), got ${JSON.stringify(list)}`);
    return list;
}

/** Polls fn() until it returns a truthy value or the time runs out. */
export async function waitFor(fn, what, timeoutMs = 20000, everyMs = 50) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await fn();
        if (value) {
            return value;
        }
        check(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, everyMs));
    }
}

/** The server URL (first argument, no trailing slash) and the flows asked for (--only a,b). */
export function parseArgs(allFlows) {
    const args = process.argv.slice(2);
    const url = (args.find(a => !a.startsWith("--")) ?? "").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(url)) {
        console.error(`usage: node ${process.argv[1]} http://host:port [--only flow,flow]   flows: ${Object.keys(allFlows).join(", ")}`);
        process.exit(2);
    }
    const only = args.find(a => a.startsWith("--only="))?.slice(7).split(",").filter(Boolean);
    for (const name of only ?? []) {
        if (!(name in allFlows)) {
            console.error(`unknown flow ${name}; known: ${Object.keys(allFlows).join(", ")}`);
            process.exit(2);
        }
    }
    return { url, names: only ?? Object.keys(allFlows) };
}

function describe(error) {
    if (error?.isESPExceptions) {
        return `ESPExceptions from ${error.Source ?? "?"}: ${JSON.stringify(error.Exception)}`;
    }
    if (error instanceof CheckFailed) {
        return error.message;
    }
    const cause = error?.cause ? ` (cause: ${error.cause.code ?? error.cause.message ?? error.cause})` : "";
    return `${error?.name ?? "Error"}: ${error?.message ?? error}${cause}\n${error?.stack ?? ""}`;
}

/**
 * Runs each named flow as flow(ctx), where ctx.step(label, fn) records a step and ctx.notes
 * collects results worth printing. hooks.before(name) runs before each flow; hooks.failed(name)
 * returns diagnostics to add to a failed flow's report.
 */
export async function runFlows(allFlows, names, setup, hooks = {}) {
    const report = {};
    for (const name of names) {
        const steps = [];
        await hooks.before?.(name);
        const started = Date.now();
        const ctx = {
            ...setup,
            notes: {},
            async step(label, fn) {
                steps.push(label);
                return await fn();
            },
        };
        try {
            await allFlows[name](ctx);
            report[name] = { ok: true, ms: Date.now() - started, steps, notes: ctx.notes };
        } catch (error) {
            report[name] = { ok: false, ms: Date.now() - started, steps, failedStep: steps.at(-1),
                             error: describe(error), notes: ctx.notes, ...(await hooks.failed?.(name)) };
        }
        const r = report[name];
        console.error(`${r.ok ? "ok  " : "FAIL"} ${name} (${r.ms} ms)${r.ok ? "" : `: at "${r.failedStep}": ${r.error}`}`);
    }
    console.log(JSON.stringify({ flows: report }));
    return Object.values(report).every(r => r.ok) ? 0 : 1;
}

/** A short unique tag for names this run creates. */
export function uniqueTag() {
    return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
