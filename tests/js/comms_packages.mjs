// comms_flow.mjs's package-map flows: PackageProcessService through a map's whole life, and
// DeletePackage's struct array in the form encoding comms uses and in the one ESP reads.
import { check, checkEqual, uniqueTag, wrapped } from "./lib.mjs";
import { csvRows, dropZone, espError, sprayCsv, sprayTarget } from "./comms_support.mjs";

export async function packagemaps(ctx) {
    const zone = await ctx.step("DropZoneFiles", () => dropZone(ctx));
    const group = await ctx.step("GetSprayTargets", () => sprayTarget(ctx));
    const tag = uniqueTag();
    const lfn = `comms::pkg${tag}::index`;
    const missing = `comms::pkg${tag}::missing`;
    await ctx.step("spray the file the map points at", () => sprayCsv(ctx, zone, group, lfn, csvRows(5, "k")));

    const options = await ctx.step("GetPackageMapSelectOptions", () =>
        ctx.pp.GetPackageMapSelectOptions({ IncludeTargets: true, IncludeProcesses: true, IncludeProcessFilters: true }));
    const targets = wrapped(options.Targets, "TargetData", "GetPackageMapSelectOptionsResponse.Targets");
    const target = targets.find(t => t.Type === "roxie")?.Name;
    check(target, `no roxie target among ${JSON.stringify(targets)}`);

    const name = `comms_${tag}.pkg`;
    const pmid = `${target}::${name}`;
    const info = `<RoxiePackages><Package id="q_${tag}"><Base id="data_${tag}"/></Package>` +
        `<Package id="data_${tag}"><SuperFile id="~${lfn}_super"><SubFile value="~${lfn}"/><SubFile value="~${missing}"/></SuperFile></Package></RoxiePackages>`;
    const add = await ctx.step("AddPackage", () =>
        ctx.pp.AddPackage({ Info: info, Target: target, PackageMap: name, Process: "*", Activate: false, OverWrite: false }));
    checkEqual([add.status?.Code, add.status?.Description], [0, `Successfully loaded ${name}`], "AddPackage status");
    checkEqual(add.FilesNotFound?.File, [missing], "AddPackage FilesNotFound.File");

    const mapRow = async () => {
        const resp = await ctx.pp.ListPackages({ Target: target, Process: "*" });
        if (resp.PackageMapList == null) {   // an empty list is left out (nil_remove)
            return undefined;
        }
        return wrapped(resp.PackageMapList, "PackageListMapData", "ListPackagesResponse.PackageMapList").find(m => m.Id === pmid);
    };
    let row = await ctx.step("ListPackages shows the inactive map", mapRow);
    check(row, `${pmid} not listed by ListPackages`);
    checkEqual([row.Target, row.Process, row.Active], [target, "*", false], "PackageListMapData [Target, Process, Active]");
    // every map AddPackage writes is multi-part, so ESP lists no top-level packages (packageprocess.md Q7)
    if (row.PkgListData != null) {
        checkEqual(wrapped(row.PkgListData, "PackageListData", "PackageListMapData.PkgListData"), [], "PkgListData of a multi-part map");
    }

    await ctx.step("ActivatePackage", async () => {
        const resp = await ctx.pp.ActivatePackage({ Target: target, PackageMap: name, Process: "*" });
        checkEqual(resp.status?.Code, 0, "ActivatePackage status.Code");
    });
    row = await ctx.step("ListPackages shows it active", mapRow);
    checkEqual(row?.Active, true, "Active after ActivatePackage");
    const listPackage = await ctx.step("ListPackage", () => ctx.pp.ListPackage({ Target: target, Process: "*" }));
    const active = wrapped(listPackage.PkgListMapData, "PackageListMapData", "ListPackageResponse.PkgListMapData");
    check(active.some(m => m.Id === pmid), `ListPackage does not list ${pmid}`);

    const got = await ctx.step("GetPackage", () => ctx.pp.GetPackage({ Target: target, Process: "*" }));
    check(typeof got.Info === "string" && got.Info.includes(`<PackageMaps id="${pmid}"`) && got.Info.includes(`q_${tag}`),
          `GetPackage Info does not hold ${pmid}: ${String(got.Info).slice(0, 300)}`);
    const byId = await ctx.step("GetPackageMapById", () => ctx.pp.GetPackageMapById({ PackageMapId: pmid }));
    check(String(byId.Info).includes(`data_${tag}`), `GetPackageMapById Info: ${String(byId.Info).slice(0, 300)}`);

    const part = `part_${tag}`;
    const partContent = `<RoxiePackages><Package id="extra_${tag}"><SuperFile id="~${lfn}_extra"><SubFile value="~${lfn}"/></SuperFile></Package></RoxiePackages>`;
    await ctx.step("AddPartToPackageMap", async () => {
        const resp = await ctx.pp.AddPartToPackageMap({ Target: target, Process: "*", PackageMap: name, PartName: part, Content: partContent });
        checkEqual(resp.status?.Code, 0, "AddPartToPackageMap status.Code");
    });
    const gotPart = await ctx.step("GetPartFromPackageMap", () => ctx.pp.GetPartFromPackageMap({ Target: target, PackageMap: name, PartName: part }));
    check(String(gotPart.Content).includes(`extra_${tag}`), `GetPartFromPackageMap Content: ${String(gotPart.Content).slice(0, 300)}`);
    await ctx.step("RemovePartFromPackageMap", async () => {
        const resp = await ctx.pp.RemovePartFromPackageMap({ Target: target, PackageMap: name, PartName: part });
        checkEqual(resp.status?.Code, 0, "RemovePartFromPackageMap status.Code");
    });

    const [badCode] = await ctx.step("ValidatePackage with a missing base package: ESPExceptions 5203", () =>
        espError(ctx.pp.ValidatePackage({ Target: target, Info: `<RoxiePackages><Package id="a"><Base id="b_${tag}"/></Package></RoxiePackages>` }),
                 "ValidatePackage(bad base)"));
    checkEqual(badCode, 5203, "ValidatePackage code");
    const [noMap] = await ctx.step("ActivatePackage of an unknown map: ESPExceptions 11005", () =>
        espError(ctx.pp.ActivatePackage({ Target: target, PackageMap: `none_${tag}`, Process: "*" }), "ActivatePackage(unknown)"));
    checkEqual(noMap, 11005, "ActivatePackage(unknown) code");

    await ctx.step("DeActivatePackage", async () => {
        const resp = await ctx.pp.DeActivatePackage({ Target: target, PackageMap: name, Process: "*" });
        checkEqual(resp.status?.Code, 0, "DeActivatePackage status.Code");
    });
    await ctx.step("DeletePackage", async () => {
        const resp = await ctx.pp.DeletePackage({ Target: target, PackageMap: name, Process: "*" });
        checkEqual([resp.status?.Code, resp.status?.Description], [0, `Successfully deleted ${name} from ${target};`], "DeletePackage status");
    });
    row = await ctx.step("ListPackages no longer lists it", mapRow);
    check(!row, `${pmid} still listed after DeletePackage`);
    const [gone] = await ctx.step("DeletePackage again: ESPExceptions 11007", () =>
        espError(ctx.pp.DeletePackage({ Target: target, PackageMap: name, Process: "*" }), "DeletePackage(deleted)"));
    checkEqual(gone, 11007, "DeletePackage(deleted) code");
}

export async function batch_delete(ctx) {
    // ESP reads a form-encoded struct array under the struct's type name (soapparam.hpp uses
    // queryXsdElementName(): PackageMaps.PackageMapEntry.<i>.Id), not under its item name. comms'
    // typed shape {PackageMaps: {PackageMap: [...]}} sends PackageMaps.PackageMap.<i>.Id, which ESP
    // does not see: the request is single mode with no name. {PackageMapEntry: [...]} is what works.
    const tag = uniqueTag();
    const maps = [`comms_${tag}_a.pkg`, `comms_${tag}_b.pkg`];
    const listed = async () => {
        const resp = await ctx.pp.ListPackages({ Target: "roxie", Process: "*" });
        const ids = (resp.PackageMapList?.PackageListMapData ?? []).map(m => m.Id);
        return maps.filter(m => ids.includes(`roxie::${m}`));
    };
    for (const map of maps) {
        await ctx.step(`AddPackage ${map}`, () =>
            ctx.pp.AddPackage({ Info: `<RoxiePackages><Package id="p_${tag}"/></RoxiePackages>`, Target: "roxie", PackageMap: map, Process: "*" }));
    }
    const entries = maps.map(Id => ({ Id, Target: "roxie", Process: "*" }));
    const [code] = await ctx.step("DeletePackage with comms' typed PackageMaps.PackageMap.<i>: not decoded, as by ESP", () =>
        espError(ctx.pp.DeletePackage({ PackageMaps: { PackageMap: entries } }), "DeletePackage(PackageMap items)"));
    checkEqual(code, 11007, "DeletePackage(PackageMap items) code");
    checkEqual(await ctx.step("ListPackages: both maps still there", listed), maps, "maps after the undecoded batch");

    const resp = await ctx.step("DeletePackage with PackageMaps.PackageMapEntry.<i> (ESP's form key)", () =>
        ctx.pp.DeletePackage({ PackageMaps: { PackageMapEntry: entries } }));
    checkEqual([resp.status?.Code, resp.status?.Description],
               [0, maps.map(m => `Successfully deleted ${m} from roxie;`).join("")], "DeletePackage status");
    checkEqual(await ctx.step("ListPackages: both maps gone", listed), [], "maps after the batch");
}
