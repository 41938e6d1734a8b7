// @hpcc-js/comms (ECL Watch's client library, pinned in package.json) against the emulator,
// used as ECL Watch uses it: form-encoded POSTs to /Svc/Method.json through FileSprayService,
// DFUService and PackageProcessService, plus its DFUWorkunit and LogicalFile objects.
//
//   node comms_flow.mjs http://127.0.0.1:8010 [--only=ping,dropzones,spray,files,transfers,superfiles,packagemaps,batch_delete,missing_wuid,get_mode]
//
// Files enter the drop zone the way ECL Watch uploads them (multipart POST to
// FileSpray/UploadFile.json?upload_...), which comms has no method for. Every flow makes its own
// uniquely named files and maps, so flows run in any order against a shared server.
import { DFUService, DFUWorkunit, FileSprayService, LogicalFile, PackageProcessService } from "@hpcc-js/comms";
import { check, checkEqual, parseArgs, runFlows, uniqueTag, waitFor, wrapped } from "./lib.mjs";
import { DONE_STATES, FINISHED, csvRows, dropZone, espError, exchanges, sprayCsv, sprayFixed, sprayTarget, upload, waitForWorkunit }
    from "./comms_support.mjs";
import { batch_delete, packagemaps } from "./comms_packages.mjs";

// ------------------------------------------------------------------ flows

async function ping(ctx) {
    await ctx.step("FileSpray Ping (FileSprayPingResponse)", () => ctx.fs.Ping({}));
    await ctx.step("WsDfu Ping (WsDfuPingResponse)", () => ctx.dfu.Ping({}));
    await ctx.step("WsPackageProcess Ping (WsPackageProcessPingResponse)", () => ctx.pp.Ping({}));
    const text = "a&b=c d+e%20 <x/> \"q\" é ✓ 😀";
    const echo = await ctx.step("WsPackageProcess Echo (form-encoded, UTF-8)", () => ctx.pp.Echo({ Request: text }));
    checkEqual(echo.Response, text, "EchoResponse.Response");
    // ECL Watch fires its requests side by side
    const answers = await ctx.step("20 requests at once", () => Promise.all(Array.from({ length: 20 }, (_, i) =>
        [() => ctx.pp.Echo({ Request: `n${i}` }), () => ctx.fs.GetDFUWorkunits({ PageSize: 1 }), () => ctx.dfu.DFUQuery({ PageSize: 1 }),
         () => ctx.fs.DropZoneFiles({})][i % 4]())));
    checkEqual(answers.filter((_, i) => i % 4 === 0).map(a => a.Response), [0, 4, 8, 12, 16].map(i => `n${i}`), "parallel Echo answers");
}

async function dropzones(ctx) {
    const zone = await ctx.step("DropZoneFiles lists the drop zones", () => dropZone(ctx));
    ctx.notes.zone = zone;
    const name = `comms_${uniqueTag()}.txt`;
    const text = "line one\nline two\n";
    await ctx.step("UploadFile.json places a file (as ECL Watch does)", () => upload(ctx, zone, name, text));

    const listed = await ctx.step("DropZoneFiles lists the file", () =>
        ctx.fs.DropZoneFiles({ DropZoneName: zone.Name, NetAddress: zone.NetAddress, Path: zone.Path, OS: "2" }));
    const files = wrapped(listed.Files, "PhysicalFileStruct", "DropZoneFilesResponse.Files");
    const mine = files.find(f => f.name === name);
    check(mine, `${name} not among ${JSON.stringify(files.map(f => f.name))}`);
    checkEqual([mine.isDir, mine.filesize], [false, text.length], "PhysicalFileStruct [isDir, filesize]");

    const fileList = await ctx.step("FileList lists the file", () =>
        ctx.fs.FileList({ DropZoneName: zone.Name, Netaddr: zone.NetAddress, Path: zone.Path, OS: "2" }));
    const names = wrapped(fileList.files, "PhysicalFileStruct", "FileListResponse.files").map(f => f.name);
    check(names.includes(name), `FileList: ${name} not among ${JSON.stringify(names)}`);

    const deleted = await ctx.step("DeleteDropZoneFiles (DFUWorkunitsActionResponse)", () =>
        ctx.fs.DeleteDropZoneFiles({ DropZoneName: zone.Name, NetAddress: zone.NetAddress, Path: zone.Path, OS: "2",
                                     Names: { Item: [name] } }));
    const [result] = wrapped(deleted.DFUActionResults, "DFUActionResult", "DFUWorkunitsActionResponse.DFUActionResults");
    checkEqual([result.ID, result.Action, result.Result], [name, "Delete", "Success"], "DFUActionResult");
    const after = await ctx.step("DropZoneFiles no longer lists it", () =>
        ctx.fs.DropZoneFiles({ DropZoneName: zone.Name, NetAddress: zone.NetAddress, Path: zone.Path, OS: "2" }));
    check(!(after.Files?.PhysicalFileStruct ?? []).some(f => f.name === name), `${name} still listed after delete`);

    const [code] = await ctx.step("DropZoneFiles with a path outside every drop zone is an ESP exception", () =>
        espError(ctx.fs.DropZoneFiles({ NetAddress: zone.NetAddress, Path: "/etc", OS: "2" }), "DropZoneFiles(/etc)"));
    check(code !== 0, "expected a non-zero ESP code");
}

async function spray(ctx) {
    const zone = await ctx.step("DropZoneFiles", () => dropZone(ctx));
    const group = await ctx.step("GetSprayTargets", () => sprayTarget(ctx));
    const tag = uniqueTag();
    const lfn = `comms::spray${tag}::people`;
    const wu = await ctx.step("SprayVariable (SprayResponse) and poll GetDFUWorkunit", () =>
        sprayCsv(ctx, zone, group, lfn, csvRows(25, "p")));
    checkEqual([wu.DestLogicalName, wu.StateMessage], [lfn, "finished"], "workunit [DestLogicalName, StateMessage]");
    ctx.notes.wuid = wu.ID;

    const progress = await ctx.step("GetDFUProgress (ProgressResponse)", () => ctx.fs.GetDFUProgress({ wuid: wu.ID }));
    checkEqual(progress.PercentDone, 100, "ProgressResponse.PercentDone");

    const list = await ctx.step("GetDFUWorkunits lists it", () => ctx.fs.GetDFUWorkunits({ PageSize: 100, Sortby: "Wuid", Descending: true }));
    const ids = wrapped(list.results, "DFUWorkunit", "GetDFUWorkunitsResponse.results").map(w => w.ID);
    check(ids.includes(wu.ID), `${wu.ID} not among ${JSON.stringify(ids)}`);
    check(typeof list.NumWUs === "number", `GetDFUWorkunitsResponse.NumWUs should be a number, got ${JSON.stringify(list.NumWUs)}`);

    // ECL Watch's own objects: DFUWorkunit.sprayFixed = SprayFixed + GetDFUWorkunit, then refresh().
    const fixedSource = `fixed_${tag}.dat`;
    await ctx.step("UploadFile.json a fixed-width file", () => upload(ctx, zone, fixedSource, "ABCDEFGH".repeat(64)));
    const dfuWu = await ctx.step("DFUWorkunit.sprayFixed", () => DFUWorkunit.sprayFixed(ctx.opts, {
        sourceIP: zone.NetAddress, sourcePath: `${zone.Path}/${fixedSource}`, sourceRecordSize: 8,
        destGroup: group, destLogicalName: `comms::spray${tag}::fixed`, overwrite: true,
    }));
    await ctx.step("DFUWorkunit.refresh until isComplete()", () =>
        waitFor(async () => (await dfuWu.refresh()).isComplete(), `${dfuWu.ID} to complete`));
    check(!dfuWu.isFailed(), `fixed spray ${dfuWu.ID} failed: state ${dfuWu.State}, ${dfuWu.SummaryMessage}`);
    checkEqual(dfuWu.DestLogicalName, `comms::spray${tag}::fixed`, "DFUWorkunit.DestLogicalName");

    // DFUWorkunit.update sends the nested request wu.ID=...&wu.JobName=...&JobNameOrig=...
    await ctx.step("DFUWorkunit.update (UpdateDFUWorkunit): rename and protect", () =>
        dfuWu.update({ wu: { JobName: `renamed_${tag}`, isProtected: true } }));
    await ctx.step("DFUWorkunit.refresh", () => dfuWu.refresh());
    checkEqual([dfuWu.JobName, dfuWu.isProtected], [`renamed_${tag}`, true], "DFUWorkunit [JobName, isProtected] after update");
    const unprotect = await ctx.step("DFUWorkunitsAction Unprotect (wuids.0=...&wuids.itemcount=1)", () =>
        ctx.fs.DFUWorkunitsAction({ wuids: { Item: [dfuWu.ID] }, Type: "Unprotect" }));
    const [actionResult] = wrapped(unprotect.DFUActionResults, "DFUActionResult", "DFUWorkunitsActionResponse.DFUActionResults");
    checkEqual([actionResult.ID, actionResult.Action, actionResult.Result], [dfuWu.ID, "Unprotect", "Success"], "DFUActionResult");
    const xml = await ctx.step("DFUWUFileEx: the workunit's XML as text (FileSpray/DFUWUFile, no suffix)", () =>
        ctx.fs.DFUWUFileEx({ Wuid: dfuWu.ID }));
    check(typeof xml === "string" && xml.startsWith("<?xml") && xml.includes(dfuWu.ID),
          `DFUWUFile text: ${String(xml).slice(0, 300)}`);

    const [code] = await ctx.step("SprayFixed from a missing source fails cleanly", async () => {
        try {
            const resp = await ctx.fs.SprayFixed({ sourceIP: zone.NetAddress, sourcePath: `${zone.Path}/no_such_${tag}.dat`,
                                                   sourceRecordSize: 8, destGroup: group, destLogicalName: `comms::spray${tag}::none` });
            // Real ESP queues the job; the workunit then fails.
            const done = await waitFor(async () => {
                const r = await ctx.fs.GetDFUWorkunit({ wuid: resp.wuid });
                return DONE_STATES.includes(r.result.State) ? r.result : null;
            }, "the failing spray");
            check(done.State !== FINISHED, "a spray of a missing file finished");
            return [-1];
        } catch (e) {
            if (!e?.isESPExceptions) {
                throw e;
            }
            return [e.Exception?.[0]?.Code];
        }
    });
    check(code !== 0, "expected a failure code");
}

async function files(ctx) {
    const zone = await ctx.step("DropZoneFiles", () => dropZone(ctx));
    const group = await ctx.step("GetSprayTargets", () => sprayTarget(ctx));
    const scope = `comms::files${uniqueTag()}`;
    const [lfn, csv] = [`${scope}::orders`, `${scope}::notes`];
    const text = "0123456789ABCDEF".repeat(40);
    const csvText = csvRows(12, "n");
    await ctx.step("spray a fixed-width file (16-byte records)", () => sprayFixed(ctx, zone, group, lfn, text, 16));
    await ctx.step("spray a CSV file", () => sprayCsv(ctx, zone, group, csv, csvText));

    const query = await ctx.step("DFUQuery by LogicalName pattern", () =>
        ctx.dfu.DFUQuery({ LogicalName: `${scope}::*`, PageSize: 10, PageStartFrom: 0, Sortby: "Name", Descending: false }));
    const rows = wrapped(query.DFULogicalFiles, "DFULogicalFile", "DFUQueryResponse.DFULogicalFiles");
    checkEqual(rows.map(r => r.Name), [csv, lfn], "DFUQuery names, sorted by Name");
    const row = rows[1];
    checkEqual([row.IntSize, row.IntRecordCount, row.isSuperfile, row.NodeGroup], [text.length, 40, false, group],
               "DFULogicalFile [IntSize, IntRecordCount, isSuperfile, NodeGroup]");
    checkEqual(query.NumFiles, 2, "DFUQueryResponse.NumFiles");

    const info = await ctx.step("DFUInfo", () => ctx.dfu.DFUInfo({ Name: lfn }));
    const d = info.FileDetail;
    check(d, `DFUInfoResponse has no FileDetail: ${JSON.stringify(info)}`);
    checkEqual([d.Name, d.NodeGroup, d.FileSizeInt64, d.RecordSizeInt64, d.RecordCountInt64, d.isSuperfile],
               [lfn, group, text.length, 16, 40, false],
               "FileDetail [Name, NodeGroup, FileSizeInt64, RecordSizeInt64, RecordCountInt64, isSuperfile]");
    check(typeof d.NumParts === "number" && d.NumParts >= 1, `FileDetail.NumParts should be a positive number, got ${JSON.stringify(d.NumParts)}`);
    const [onCluster] = wrapped(d.DFUFilePartsOnClusters, "DFUFilePartsOnCluster", "FileDetail.DFUFilePartsOnClusters");
    const parts = wrapped(onCluster.DFUFileParts, "DFUPart", "DFUFilePartsOnCluster.DFUFileParts");
    checkEqual(parts.filter(p => p.Copy === 1).reduce((n, p) => n + p.PartSizeInt64, 0), text.length, "sum of DFUPart.PartSizeInt64 (copy 1)");

    const csvInfo = await ctx.step("DFUInfo of the CSV file", () => ctx.dfu.DFUInfo({ Name: csv }));
    const c = csvInfo.FileDetail;
    // a sprayed CSV file has no record count: RecordCountInt64 -1 (wsdfu.md, DFUInfo);
    // DFU stores a bare "," separator as "\," (filespray.md, file-level attributes)
    checkEqual([c?.Format, c?.CsvSeparate, c?.FileSizeInt64, c?.RecordCountInt64], ["csv", "\\,", csvText.length, -1],
               "CSV FileDetail [Format, CsvSeparate, FileSizeInt64, RecordCountInt64]");

    const lf = LogicalFile.attach(ctx.opts, group, lfn);
    await ctx.step("LogicalFile.attach(...).fetchInfo() (ECL Watch's file object)", () => lf.fetchInfo());
    checkEqual([lf.Name, lf.isSuperfile, lf.RecordCountInt64], [lfn, false, 40], "LogicalFile [Name, isSuperfile, RecordCountInt64]");

    const [code, message] = await ctx.step("DFUInfo of a missing file: ESPExceptions 20038", () =>
        espError(ctx.dfu.DFUInfo({ Name: `${scope}::missing` }), "DFUInfo(missing)"));
    checkEqual([code, message.replace(/^.*GMT: /, "")], [20038, `Cannot find file ${scope}::missing.`], "DFUInfo missing [Code, Message]");

    const action = await ctx.step("DFUArrayAction Delete", () =>
        ctx.dfu.DFUArrayAction({ Type: "Delete", LogicalFiles: { Item: [`${lfn}@${group}`, `${csv}@${group}`] } }));
    const results = wrapped(action.ActionResults, "DFUActionInfo", "DFUArrayActionResponse.ActionResults");
    checkEqual(results.map(r => r.Failed), [false, false], `DFUActionInfo.Failed (${results.map(r => r.ActionResult)})`);
    const gone = await ctx.step("DFUQuery no longer finds it", () => ctx.dfu.DFUQuery({ LogicalName: `${scope}::*` }));
    checkEqual(gone.DFULogicalFiles?.DFULogicalFile ?? [], [], "DFUQuery after delete");
}

async function transfers(ctx) {
    const zone = await ctx.step("DropZoneFiles", () => dropZone(ctx));
    const group = await ctx.step("GetSprayTargets", () => sprayTarget(ctx));
    const tag = uniqueTag();
    const scope = `comms::xfer${tag}`;
    const [lfn, copy, renamed] = [`${scope}::src`, `${scope}::copy`, `${scope}::renamed`];
    const text = csvRows(30, "x");
    await ctx.step("spray a CSV file", () => sprayCsv(ctx, zone, group, lfn, text));

    const out = `despray_${tag}.csv`;
    const dwu = await ctx.step("DFUWorkunit.despray to the drop zone", () => DFUWorkunit.despray(ctx.opts, {
        sourceLogicalName: lfn, destIP: zone.NetAddress, destPath: `${zone.Path}/${out}`, overwrite: true }));
    await ctx.step("DFUWorkunit.refresh until isComplete()", () =>
        waitFor(async () => (await dwu.refresh()).isComplete(), `${dwu.ID} to complete`));
    check(!dwu.isFailed(), `despray ${dwu.ID} failed: state ${dwu.State}, ${dwu.SummaryMessage}`);
    const listed = await ctx.step("DropZoneFiles lists the desprayed file", () =>
        ctx.fs.DropZoneFiles({ DropZoneName: zone.Name, NetAddress: zone.NetAddress, Path: zone.Path, OS: "2" }));
    const file = (listed.Files?.PhysicalFileStruct ?? []).find(f => f.name === out);
    checkEqual(file?.filesize, text.length, `desprayed ${out} filesize`);

    const copied = await ctx.step("Copy (the WUID comes back in result)", () =>
        ctx.fs.Copy({ sourceLogicalName: lfn, destGroup: group, destLogicalName: copy, overwrite: true }));
    await ctx.step("wait for the copy", () => waitForWorkunit(ctx, copied.result));
    const moved = await ctx.step("Rename", () => ctx.fs.Rename({ srcname: copy, dstname: renamed }));
    await ctx.step("wait for the rename", () => waitForWorkunit(ctx, moved.wuid));
    const info = await ctx.step("DFUInfo of the renamed copy", () => ctx.dfu.DFUInfo({ Name: renamed }));
    checkEqual([info.FileDetail?.Name, info.FileDetail?.FileSizeInt64], [renamed, text.length], "renamed copy [Name, FileSizeInt64]");
    const [code] = await ctx.step("DFUInfo of the old name: ESPExceptions 20038", () =>
        espError(ctx.dfu.DFUInfo({ Name: copy }), "DFUInfo(renamed away)"));
    checkEqual(code, 20038, "DFUInfo(renamed away) code");

    // what ECL Watch's file page does: edit the description, protect, unprotect
    const described = await ctx.step("DFUInfo UpdateDescription", () =>
        ctx.dfu.DFUInfo({ Name: lfn, UpdateDescription: true, FileDesc: `about ${tag} & more` }));
    checkEqual(described.FileDetail?.Description, `about ${tag} & more`, "FileDetail.Description");
    const protectedInfo = await ctx.step("DFUInfo Protect", () => ctx.dfu.DFUInfo({ Name: lfn, Protect: 1 }));
    check(wrapped(protectedInfo.FileDetail?.ProtectList, "DFUFileProtect", "FileDetail.ProtectList").length === 1,
          "one protection after Protect=1");
    const refused = await ctx.step("DFUArrayAction Delete of the protected file fails for that row", () =>
        ctx.dfu.DFUArrayAction({ Type: "Delete", LogicalFiles: { Item: [`${lfn}@${group}`] } }));
    const [row] = wrapped(refused.ActionResults, "DFUActionInfo", "DFUArrayActionResponse.ActionResults");
    check(row.Failed === true && /protected/.test(row.ActionResult), `deleting a protected file: ${JSON.stringify(row)}`);
    await ctx.step("DFUInfo Unprotect", () => ctx.dfu.DFUInfo({ Name: lfn, Protect: 2 }));

    const view = await ctx.step("DFUFileView of the scope", () => ctx.dfu.DFUFileView({ Scope: scope }));
    const names = wrapped(view.DFULogicalFiles, "DFULogicalFile", "DFUFileViewResponse.DFULogicalFiles").map(f => f.Name).sort();
    checkEqual([names, view.NumFiles], [[renamed, lfn], 2], "DFUFileView [names, NumFiles]");

    await ctx.step("DFUArrayAction Delete both", async () => {
        const resp = await ctx.dfu.DFUArrayAction({ Type: "Delete", LogicalFiles: { Item: [`${lfn}@${group}`, `${renamed}@${group}`] } });
        checkEqual(wrapped(resp.ActionResults, "DFUActionInfo", "ActionResults").map(r => r.Failed), [false, false], "DFUActionInfo.Failed");
    });
}

async function superfiles(ctx) {
    const zone = await ctx.step("DropZoneFiles", () => dropZone(ctx));
    const group = await ctx.step("GetSprayTargets", () => sprayTarget(ctx));
    const scope = `comms::super${uniqueTag()}`;
    const [a, b, sup] = [`${scope}::a`, `${scope}::b`, `${scope}::all`];
    await ctx.step("spray two files", async () => {
        await sprayCsv(ctx, zone, group, a, csvRows(3, "a"));
        await sprayCsv(ctx, zone, group, b, csvRows(4, "b"));
    });

    await ctx.step("AddtoSuperfile creates the superfile with names", () =>
        ctx.dfu.AddtoSuperfile({ Superfile: sup, ExistingFile: false, names: { Item: [a] } }));
    let list = await ctx.step("SuperfileList", () => ctx.dfu.SuperfileList({ superfile: sup }));
    checkEqual(wrapped(list.subfiles, "Item", "SuperfileListResponse.subfiles"), [a], "subfiles after AddtoSuperfile");

    const added = await ctx.step("SuperfileAction add", () =>
        ctx.dfu.SuperfileAction({ action: "add", superfile: sup, subfiles: { Item: [b] } }));
    checkEqual([added.superfile, added.retcode], [sup, 0], "SuperfileActionResponse [superfile, retcode]");
    list = await ctx.step("SuperfileList after add", () => ctx.dfu.SuperfileList({ superfile: sup }));
    checkEqual(wrapped(list.subfiles, "Item", "SuperfileListResponse.subfiles"), [a, b], "subfiles after add");

    const info = await ctx.step("DFUInfo of the superfile", () => ctx.dfu.DFUInfo({ Name: sup }));
    checkEqual([info.FileDetail?.isSuperfile, info.FileDetail?.subfiles?.Item], [true, [a, b]], "FileDetail [isSuperfile, subfiles.Item]");
    const member = await ctx.step("DFUInfo of a member names its superfile", () => ctx.dfu.DFUInfo({ Name: a }));
    const owners = wrapped(member.FileDetail?.Superfiles, "DFULogicalFile", "FileDetail.Superfiles").map(f => f.Name);
    checkEqual(owners, [sup], "FileDetail.Superfiles names");
    const leaves = await ctx.step("DFUService.recursiveFetchLogicalFiles", () =>
        ctx.dfu.recursiveFetchLogicalFiles([{ NodeGroup: group, Name: sup }]));
    checkEqual([...leaves].sort(), [a, b], "recursiveFetchLogicalFiles");

    const [dupCode] = await ctx.step("SuperfileAction add of a member again: ESPExceptions 8302", () =>
        espError(ctx.dfu.SuperfileAction({ action: "add", superfile: sup, subfiles: { Item: [a] } }), "SuperfileAction(dup)"));
    checkEqual(dupCode, 8302, "duplicate add code");

    await ctx.step("SuperfileAction remove", () => ctx.dfu.SuperfileAction({ action: "remove", superfile: sup, subfiles: { Item: [a] } }));
    list = await ctx.step("SuperfileList after remove", () => ctx.dfu.SuperfileList({ superfile: sup }));
    checkEqual(list.subfiles?.Item, [b], "subfiles after remove");

    const last = await ctx.step("SuperfileAction remove the last member and the superfile", () =>
        ctx.dfu.SuperfileAction({ action: "remove", superfile: sup, subfiles: { Item: [b] }, removeSuperfile: true }));
    checkEqual(last.retcode, -1, "retcode once the superfile is gone");
    const [code] = await ctx.step("SuperfileList of the removed superfile: ESPExceptions 8300", () =>
        espError(ctx.dfu.SuperfileList({ superfile: sup }), "SuperfileList(removed)"));
    checkEqual(code, 8300, "SuperfileList code");

    await ctx.step("DFUArrayAction Delete the members", async () => {
        const resp = await ctx.dfu.DFUArrayAction({ Type: "Delete", LogicalFiles: { Item: [`${a}@${group}`, `${b}@${group}`] } });
        const results = wrapped(resp.ActionResults, "DFUActionInfo", "DFUArrayActionResponse.ActionResults");
        checkEqual(results.map(r => r.Failed), [false, false], "DFUActionInfo.Failed");
    });
}

async function missing_wuid(ctx) {
    // comms sends no wuid field at all; ESP's request object then holds "" (never a null)
    for (const [method, call] of [["AbortDFUWorkunit", () => ctx.fs.AbortDFUWorkunit({})],
                                  ["GetDFUExceptions", () => ctx.fs.GetDFUExceptions({})]]) {
        const [code, message] = await ctx.step(`${method} without a wuid`, () => espError(call(), method));
        checkEqual([code, message.replace(/^.*GMT: /, "")], [20080, "Dfu workunit  not found."], `${method}({}) [Code, Message]`);
    }
}

async function get_mode(ctx) {
    // comms' other transport: {type: "get"} sends GET /Svc/Method.json?<the same fields>
    const opts = { ...ctx.opts, type: "get" };
    const [fs, dfu, pp] = [new FileSprayService(opts), new DFUService(opts), new PackageProcessService(opts)];
    const zones = await ctx.step("GET DropZoneFiles.json", () => fs.DropZoneFiles({}));
    check(wrapped(zones.DropZones, "DropZone", "DropZoneFilesResponse.DropZones").length > 0, "no drop zone");
    const query = await ctx.step("GET DFUQuery.json with nested and paging fields", () =>
        dfu.DFUQuery({ LogicalName: "comms::*", PageSize: 5, PageStartFrom: 0, Sortby: "Modified", Descending: true }));
    // the response's PageStartFrom is 1-based: pageStart + 1 (wsdfu.md, DFUQuery)
    checkEqual([query.PageSize, query.PageStartFrom, query.Sortby, query.Descending], [5, 1, "Modified", true],
               "DFUQueryResponse echoes [PageSize, PageStartFrom, Sortby, Descending]");
    const options = await ctx.step("GET GetPackageMapSelectOptions.json", () =>
        pp.GetPackageMapSelectOptions({ IncludeTargets: true, IncludeProcesses: false, IncludeProcessFilters: false }));
    check(wrapped(options.Targets, "TargetData", "GetPackageMapSelectOptionsResponse.Targets").length > 0, "no package map target");
    const [code] = await ctx.step("GET DFUInfo.json of a missing file: ESPExceptions 20038", () =>
        espError(dfu.DFUInfo({ Name: `comms::get${uniqueTag()}::missing` }), "GET DFUInfo(missing)"));
    checkEqual(code, 20038, "GET DFUInfo(missing) code");
}

// ------------------------------------------------------------------ main

const FLOWS = { ping, dropzones, spray, files, transfers, superfiles, packagemaps, batch_delete, missing_wuid, get_mode };
const { url, names } = parseArgs(FLOWS);
const opts = { baseUrl: url, timeoutSecs: 20 };
const setup = { url, opts, fs: new FileSprayService(opts), dfu: new DFUService(opts), pp: new PackageProcessService(opts) };
process.exitCode = await runFlows(FLOWS, names, setup, {
    before: () => { exchanges.length = 0; },
    failed: () => ({ lastExchanges: [...exchanges] }),
});
