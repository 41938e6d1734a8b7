// What comms_flow.mjs's flows share: a tap on the wire comms uses, ESP error checks, and the
// ECL Watch steps that put a file in the drop zone, spray it and wait for the DFU workunit.
import "@hpcc-js/comms";   // its Node entry point installs root.__hpcc_undiciFetch, which the tap wraps
import { check, checkEqual, waitFor, wrapped } from "./lib.mjs";

// ------------------------------------------------------------------ the wire, as comms uses it
// comms sends through root.__hpcc_undiciFetch (undici's fetch) in Node; this keeps the last few
// exchanges, unchanged, so that a failure can show exactly what went over the wire.
export const exchanges = [];
function tap(realFetch) {
    return async (input, init = {}) => {
        const entry = { request: `${(init.method ?? "GET").toUpperCase()} ${input}` };
        if (typeof init.body === "string") {
            entry.body = init.body.slice(0, 1000);
        }
        exchanges.push(entry);
        exchanges.splice(0, exchanges.length - 4);
        try {
            const response = await realFetch(input, init);
            entry.status = response.status;
            entry.response = (await response.clone().text()).slice(0, 1500);
            return response;
        } catch (error) {
            entry.error = String(error?.cause?.code ?? error?.message ?? error);
            throw error;
        }
    };
}
check(typeof globalThis.__hpcc_undiciFetch === "function", "@hpcc-js/comms no longer sends through root.__hpcc_undiciFetch");
globalThis.__hpcc_undiciFetch = tap(globalThis.__hpcc_undiciFetch);
const uploadFetch = tap(globalThis.fetch);

export const FINISHED = 6;
export const DONE_STATES = [4, 5, FINISHED, 999];   // aborted, failed, finished, not found

// ------------------------------------------------------------------ helpers

/** ESPExceptions thrown by comms for a top-level {"Exceptions": ...} answer: [code, message]. */
export async function espError(promise, what) {
    let error;
    try {
        const value = await promise;
        check(false, `${what}: expected ESP to answer with top-level Exceptions, got ${JSON.stringify(value)}`);
    } catch (e) {
        error = e;
    }
    if (!error?.isESPExceptions) {
        throw error;
    }
    check(error.Source !== "ESPConnection.send", `${what}: comms found neither Exceptions nor the response key ("Missing Response")`);
    const [first] = wrapped(error, "Exception", `${what} Exceptions`);
    check(typeof first.Code === "number", `${what}: Exception.Code should be a JSON number, got ${JSON.stringify(first.Code)}`);
    return [first.Code, first.Message];
}

/** The drop zone ECL Watch would pick: the first one DropZoneFiles lists. */
export async function dropZone(ctx) {
    const resp = await ctx.fs.DropZoneFiles({});
    const [zone] = wrapped(resp.DropZones, "DropZone", "DropZoneFilesResponse.DropZones");
    check(zone && typeof zone.Name === "string" && zone.NetAddress && zone.Path,
          `DropZone needs Name, NetAddress and Path, got ${JSON.stringify(zone)}`);
    return zone;
}

/** Puts a file in the drop zone the way ECL Watch's upload form does. */
export async function upload(ctx, zone, name, text) {
    const form = new FormData();
    form.append("uploadedfiles[]", new Blob([text]), name);
    const query = new URLSearchParams({ NetAddress: zone.NetAddress, OS: "2", Path: zone.Path, DropZoneName: zone.Name });
    const r = await uploadFetch(`${ctx.url}/FileSpray/UploadFile.json?upload_&rawxml_=1&${query}`, { method: "POST", body: form });
    check(r.status === 200, `UploadFile.json answered HTTP ${r.status}`);
    const body = await r.json();
    check(!body.Exceptions, `UploadFile.json failed: ${JSON.stringify(body.Exceptions)}`);
    const [result] = wrapped(body.UploadFilesResponse?.UploadFileResults, "DFUActionResult", "UploadFilesResponse.UploadFileResults");
    checkEqual([result.ID, result.Result], [name, "Success"], "UploadFile result");
}

/** The first Thor group GetSprayTargets offers. */
export async function sprayTarget(ctx) {
    const resp = await ctx.fs.GetSprayTargets({});
    const groups = wrapped(resp.GroupNodes, "GroupNode", "GetSprayTargetsResponse.GroupNodes");
    const thor = groups.find(g => /thor/i.test(g.ClusterType ?? "")) ?? groups[0];
    check(thor?.Name, `GetSprayTargets lists no group: ${JSON.stringify(resp)}`);
    return thor.Name;
}

/** Polls GetDFUWorkunit until the workunit is done; checks it finished. */
export async function waitForWorkunit(ctx, wuid) {
    check(typeof wuid === "string" && /^D\d{8}-\d{6}/.test(wuid), `expected a DFU WUID, got ${JSON.stringify(wuid)}`);
    const wu = await waitFor(async () => {
        const resp = await ctx.fs.GetDFUWorkunit({ wuid });
        check(typeof resp.result?.State === "number", `GetDFUWorkunit result.State should be a JSON number, got ${JSON.stringify(resp.result?.State)}`);
        return DONE_STATES.includes(resp.result.State) ? resp.result : null;
    }, `workunit ${wuid} to finish`);
    check(wu.State === FINISHED, `workunit ${wuid} ended in state ${wu.State} (${wu.StateMessage}): ${wu.SummaryMessage ?? ""}`);
    return wu;
}

/** Uploads fixed-width text and sprays it with SprayFixed; returns the finished workunit. */
export async function sprayFixed(ctx, zone, group, lfn, text, recordSize) {
    const source = `${lfn.replace(/\W+/g, "_")}.dat`;
    await upload(ctx, zone, source, text);
    const resp = await ctx.fs.SprayFixed({
        sourceIP: zone.NetAddress, sourcePath: `${zone.Path}/${source}`, sourceRecordSize: recordSize,
        destGroup: group, destLogicalName: lfn, overwrite: true,
    });
    return await waitForWorkunit(ctx, resp.wuid);
}

/** Uploads CSV text and sprays it with SprayVariable; returns the finished workunit. */
export async function sprayCsv(ctx, zone, group, lfn, text) {
    const source = `${lfn.replace(/\W+/g, "_")}.csv`;
    await upload(ctx, zone, source, text);
    const resp = await ctx.fs.SprayVariable({
        sourceIP: zone.NetAddress, sourcePath: `${zone.Path}/${source}`, sourceFormat: 1,
        sourceCsvSeparate: ",", sourceCsvTerminate: "\\n,\\r\\n", sourceCsvQuote: "\"", sourceMaxRecordSize: 8192,
        destGroup: group, destLogicalName: lfn, overwrite: true, replicate: false, compress: false,
    });
    return await waitForWorkunit(ctx, resp.wuid);
}

export function csvRows(n, tag) {
    return Array.from({ length: n }, (_, i) => `${tag}-${i},${i * 7}\n`).join("");
}

