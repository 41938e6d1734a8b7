// One logical file (DFUInfo): summary, protection, superfile owners, parts per node with sizes,
// ECL record, history (ListHistory), its rows (DFUBrowseData) and, for a superfile, the tree of
// its members (SuperfileList, nested) with add/remove (SuperfileAction). Actions: Despray, Copy,
// Rename (FileSpray), Delete and Protect/Unprotect (DFUArrayAction).
import { call, list } from "./esp.js";
import { button, dialog, field, fill, fmtSize, guard, h, link, say, table } from "./ui.js";
import { fileRoute, removeFiles } from "./files.js";

const ROWS_PER_PAGE = 50;

export async function render(main, name) {
    const detail = (await call("WsDfu", "DFUInfo", { Name: name })).FileDetail ?? {};
    const again = () => guard(() => render(main, name));
    const goWorkunit = wuid => { location.hash = `#/workunits/${wuid}`; };
    const protectedBy = list(detail.ProtectList, "DFUFileProtect");
    const owners = list(detail.Superfiles, "DFULogicalFile").map(f => f.Name);
    const props = [["Name", detail.Name], ["Cluster", detail.NodeGroup], ["Description", detail.Description],
        ["Owner", detail.Owner], ["Workunit", detail.Wuid], ["Job Name", detail.JobName], ["Modified", detail.Modified],
        ["Format", detail.Format || detail.ContentType], ["Size", fmtSize(detail.FileSizeInt64 ?? detail.Filesize)],
        ["Records", detail.RecordCountInt64 >= 0 ? detail.RecordCountInt64 : ""], ["Record Size", detail.RecordSizeInt64 || ""],
        ["Parts", detail.NumParts], ["Directory", detail.Dir], ["Path Mask", detail.PathMask],
        ["Separators", detail.CsvSeparate], ["Quote", detail.CsvQuote], ["Terminators", detail.CsvTerminate]]
        .filter(([, v]) => v !== undefined && v !== null && v !== "");
    const data = h("div", { id: "lf-data" });
    fill(main,
        h("h1", {}, detail.isSuperfile ? "Superfile " : "Logical File ", h("code", {}, detail.Name ?? name)),
        h("div", { class: "toolbar" }, link("All logical files", "files"), h("span", { class: "sep" }),
          detail.isSuperfile ? null : button("Despray", () => despray(detail, goWorkunit)),
          detail.isSuperfile ? null : button("Copy", () => copy(detail, goWorkunit)),
          detail.isSuperfile ? null : button("Rename", () => rename(detail, goWorkunit)),
          button(protectedBy.length ? "Unprotect" : "Protect", () => guard(async () => {
              const answer = await call("WsDfu", "DFUArrayAction", { Type: "Change Protection", Protect: protectedBy.length ? 2 : 1,
                                                                    LogicalFiles: { Item: [detail.Name] } });
              const result = list(answer.ActionResults, "DFUActionInfo")[0];
              say(result ? `${result.FileName}: ${result.ActionResult}` : "Protection changed", result?.Failed ? "error" : "info");
              await again();
          }), { id: "lf-protect" }),
          button("Delete", () => removeFiles([detail.Name], () => { location.hash = "#/files"; }), { class: "danger" })),
        h("section", {}, h("h2", {}, "Summary"),
          h("table", { class: "props", id: "lf-summary" }, props.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v)))))),
        h("section", { id: "lf-protection" }, h("h2", {}, "Protection"),
          protectedBy.length ? table([{ label: "Protected by", cell: p => p.Owner }, { label: "Since", cell: p => p.Modified }], protectedBy)
                             : h("p", {}, "Not protected.")),
        h("section", { id: "lf-owners" }, h("h2", {}, "Superfile Owners"),
          owners.length ? h("ul", {}, owners.map(o => h("li", {}, link(o, fileRoute(o))))) : h("p", {}, "In no superfile.")),
        detail.isSuperfile ? h("section", { id: "lf-subfiles" }, h("h2", {}, "Subfiles"), await superfileTree(detail.Name, again)) : null,
        detail.isSuperfile ? null : h("section", { id: "lf-parts" }, h("h2", {}, "Parts"), parts(detail)),
        detail.Ecl ? h("section", {}, h("h2", {}, "ECL Record"), h("pre", { id: "lf-ecl" }, detail.Ecl)) : null,
        h("section", {}, h("h2", {}, "Contents"), data),
        h("section", { id: "lf-history" }, h("h2", {}, "History"), await history(detail.Name)));
    await guard(() => browse(data, detail.Name, 0));
}

function parts(detail) {
    return list(detail.DFUFilePartsOnClusters, "DFUFilePartsOnCluster").map(cluster => h("div", {},
        h("p", {}, `Cluster ${cluster.Cluster}${cluster.Replicate ? " (replicated)" : ""}, base directory ${cluster.BaseDir ?? ""}`),
        table([{ label: "Part", cell: p => p.Id }, { label: "Copy", cell: p => p.Copy }, { label: "Node", cell: p => p.Ip },
               { label: "Size", class: "num", cell: p => fmtSize(p.PartSizeInt64 ?? p.Partsize) }],
              list(cluster.DFUFileParts, "DFUPart"))));
}

async function history(name) {
    const answer = await guard(() => call("WsDfu", "ListHistory", { Name: name }));
    const entries = list(answer?.History, "Origin");
    return entries.length
        ? table(["Operation", "Timestamp", "IP", "Path", "Name", "Owner", "Workunit"].map(k => ({ label: k, cell: e => e[k] ?? "" })), entries)
        : h("p", {}, "No history recorded.");
}

/** The rows of the file (DFUBrowseData's Result holds an XML dataset: one <Row> per record). */
async function browse(holder, name, start) {
    const answer = await call("WsDfu", "DFUBrowseData", { LogicalName: name, Start: start, Count: ROWS_PER_PAGE });
    const doc = new DOMParser().parseFromString(`<r>${(answer.Result ?? "").replace(/<\?xml[^>]*\?>/g, "")}</r>`, "text/xml");
    if (doc.querySelector("parsererror")) {
        fill(holder, h("p", { class: "message error" }, "The file's rows could not be read."));
        return;
    }
    const rows = [...doc.getElementsByTagName("Row")];
    const columns = rows.length ? [...rows[0].children].map(c => c.tagName) : [];
    const total = Number(answer.Total);
    const more = Number.isFinite(total) && total >= 0 ? start + rows.length < total : rows.length === ROWS_PER_PAGE;
    fill(holder,
        h("div", { class: "toolbar" },
          button("‹ Prev", () => guard(() => browse(holder, name, Math.max(0, start - ROWS_PER_PAGE))), { disabled: start === 0 }),
          h("span", {}, rows.length ? `rows ${start + 1}–${start + rows.length}${total >= 0 ? ` of ${total}` : ""}` : "no rows"),
          button("Next ›", () => guard(() => browse(holder, name, start + ROWS_PER_PAGE)), { disabled: !more })),
        table(columns.map(c => ({ label: c, cell: row => [...row.children].find(x => x.tagName === c)?.textContent ?? "" })),
              rows, { empty: "The file has no rows.", id: "lf-rows" }));
}

/** Nested members of a superfile, each subfile's own members indented below it. */
async function superfileTree(name, again, depth = 0, seen = new Set()) {
    const subfiles = list((await call("WsDfu", "SuperfileList", { superfile: name })).subfiles, "Item");
    seen.add(name);
    const items = [];
    for (const sub of subfiles) {
        const info = depth < 5 && !seen.has(sub) ? await guard(() => call("WsDfu", "DFUInfo", { Name: sub })) : null;
        const nested = info?.FileDetail?.isSuperfile ? await superfileTree(sub, again, depth + 1, seen) : null;
        items.push(h("li", {}, link(sub, fileRoute(sub)),
            depth === 0 ? button("Remove", () => guard(async () => {
                await call("WsDfu", "SuperfileAction", { action: "remove", superfile: name, subfiles: { Item: [sub] }, delete: false });
                say(`Removed ${sub} from ${name}`);
                await again();
            }), { class: "small", "data-remove": sub }) : null, nested));
    }
    const tree = h("ul", { class: "tree" }, items.length ? items : h("li", { class: "empty" }, "No subfiles."));
    if (depth > 0) {
        return tree;
    }
    const input = h("input", { type: "text", id: "lf-add-subfile", placeholder: "some::logical::file" });
    return h("div", {}, tree, h("div", { class: "toolbar" }, input, button("Add Subfile", () => guard(async () => {
        const sub = input.value.trim();
        if (!sub) {
            say("Enter the name of the file to add.", "error");
            return;
        }
        await call("WsDfu", "SuperfileAction", { action: "add", superfile: name, subfiles: { Item: [sub] } });
        say(`Added ${sub} to ${name}`);
        await again();
    }))));
}

// ------------------------------------------------------------------ the action dialogs

const textInput = (name, value = "", placeholder = "") => h("input", { type: "text", name, value, placeholder });
const checkbox = (name, label, checked = false) => h("label", { class: "check" }, h("input", { type: "checkbox", name, checked }), ` ${label}`);
const value = (form, name) => form.elements.namedItem(name).value.trim();
const checked = (form, name) => form.elements.namedItem(name).checked;
const need = (form, name, label) => {
    const v = value(form, name);
    if (!v) {
        throw new Error(`${label}: This field is required`);
    }
    return v;
};

async function despray(detail, then) {
    const zones = list((await call("FileSpray", "DropZoneFiles")).DropZones, "DropZone");
    const tail = detail.Name.split("::").pop();
    const zoneSelect = h("select", { name: "zone" }, zones.map(z => h("option", { value: z.Name }, `${z.Name} (${z.NetAddress})`)));
    dialog(`Despray ${detail.Name}`, h("div", {},
        field("Drop Zone", zoneSelect), field("Target Path", textInput("destPath", tail, "folder/name")),
        field("Split Prefix", textInput("splitprefix")),
        h("div", { class: "checks" }, checkbox("overwrite", "Overwrite"), checkbox("wrap", "Preserve File Parts"))), [
        { label: "Despray", primary: true, run: async form => {
            const zone = zones.find(z => z.Name === form.elements.namedItem("zone").value);
            const path = need(form, "destPath", "Target Path");
            const answer = await call("FileSpray", "Despray", {
                sourceLogicalName: detail.Name, destGroup: zone.Name, destIP: zone.NetAddress,
                destPath: path.startsWith("/") ? path : `${zone.Path.replace(/\/+$/, "")}/${path}`,
                splitprefix: value(form, "splitprefix"), overwrite: checked(form, "overwrite"), wrap: checked(form, "wrap") });
            then(answer.wuid);
        } },
        { label: "Cancel", run: () => true }]);
}

async function copy(detail, then) {
    const groups = list((await call("FileSpray", "GetSprayTargets")).GroupNodes, "GroupNode").map(g => g.Name);
    dialog(`Copy ${detail.Name}`, h("div", {},
        field("Group", h("select", { name: "destGroup" }, groups.map(g => h("option", { value: g, selected: g === detail.NodeGroup }, g)))),
        field("Target Name", textInput("destLogicalName", `${detail.Name}_copy`)),
        h("div", { class: "checks" }, checkbox("overwrite", "Overwrite"), checkbox("replicate", "Replicate"),
          checkbox("nosplit", "No Split"), checkbox("compress", "Compress"), checkbox("Wrap", "Preserve Parts"))), [
        { label: "Copy", primary: true, run: async form => {
            const answer = await call("FileSpray", "Copy", {
                sourceLogicalName: detail.Name, destGroup: value(form, "destGroup"),
                destLogicalName: need(form, "destLogicalName", "Target Name"), overwrite: checked(form, "overwrite"),
                replicate: checked(form, "replicate"), nosplit: checked(form, "nosplit"), compress: checked(form, "compress"),
                Wrap: checked(form, "Wrap") });
            then(answer.result);
        } },
        { label: "Cancel", run: () => true }]);
}

function rename(detail, then) {
    dialog(`Rename ${detail.Name}`, h("div", {},
        field("New Name", textInput("dstname", detail.Name)), checkbox("overwrite", "Overwrite")), [
        { label: "Rename", primary: true, run: async form => {
            const answer = await call("FileSpray", "Rename", { srcname: detail.Name, dstname: need(form, "dstname", "New Name"),
                                                              overwrite: checked(form, "overwrite") });
            then(answer.wuid);
        } },
        { label: "Cancel", run: () => true }]);
}
