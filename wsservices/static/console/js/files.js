// Logical Files: DFUQuery with ECL Watch's filters, sorting by column and paging; selected files
// can be deleted (DFUArrayAction) or added to a superfile (AddtoSuperfile).
import { call, list } from "./esp.js";
import { button, dialog, field, fill, fmtSize, guard, h, link, say, table } from "./ui.js";

const PAGE_SIZES = [10, 25, 50, 100];
const query = { LogicalName: "", Owner: "", NodeGroup: "", FileType: "", Sortby: "Modified", Descending: true,
                PageSize: 25, PageStartFrom: 1 };

export function fileRoute(name) {
    return `files/${encodeURIComponent(name)}`;
}

export async function render(main) {
    const results = h("div", { id: "lf-results" });
    const input = (name, placeholder) => h("input", { type: "text", name, value: query[name], placeholder });
    const form = h("form", { class: "filters", id: "lf-filters" },
        field("Name", input("LogicalName", "*::*")), field("Owner", input("Owner", "")),
        field("Cluster", input("NodeGroup", "mythor")),
        field("Type", h("select", { name: "FileType" }, ["", "Superfiles Only", "Logical Files Only", "Not in Superfiles"]
            .map(t => h("option", { value: t, selected: t === query.FileType }, t || "All")))),
        h("button", { type: "submit", class: "primary" }, "Apply"));
    form.addEventListener("submit", event => {
        event.preventDefault();
        for (const name of ["LogicalName", "Owner", "NodeGroup", "FileType"]) {
            query[name] = form.elements.namedItem(name).value.trim();
        }
        query.PageStartFrom = 1;
        guard(() => show(results));
    });
    fill(main, h("h1", {}, "Logical Files"), form, results);
    await show(results);
}

async function show(results) {
    const request = { Sortby: query.Sortby, Descending: query.Descending, PageSize: query.PageSize,
                      PageStartFrom: query.PageStartFrom, IncludeSuperOwner: true };
    for (const name of ["LogicalName", "Owner", "NodeGroup", "FileType"]) {
        if (query[name]) {
            request[name] = query[name];
        }
    }
    const answer = await call("WsDfu", "DFUQuery", request);
    const files = list(answer.DFULogicalFiles, "DFULogicalFile");
    const selected = new Set();
    const again = () => guard(() => show(results));
    const sortBy = key => {
        query.Descending = query.Sortby === key ? !query.Descending : false;
        query.Sortby = key;
        again();
    };
    const total = answer.NumFiles ?? files.length;
    const first = files.length ? (answer.PageStartFrom ?? query.PageStartFrom) : 0;
    const last = files.length ? first + files.length - 1 : 0;
    const page = delta => { query.PageStartFrom = Math.max(1, query.PageStartFrom + delta * query.PageSize); again(); };
    const pageSize = h("select", { onchange: e => { query.PageSize = Number(e.target.value); query.PageStartFrom = 1; again(); } },
        PAGE_SIZES.map(n => h("option", { value: String(n), selected: n === query.PageSize }, String(n))));
    fill(results,
        h("div", { class: "toolbar" },
          button("Refresh", again), button("Delete", () => removeFiles([...selected], again), { class: "danger" }),
          button("Add To Superfile", () => addToSuperfile([...selected], again), { id: "lf-add-super" }),
          h("span", { class: "sep" }),
          button("‹ Prev", () => page(-1), { disabled: query.PageStartFrom <= 1 }),
          h("span", { id: "lf-range" }, `${first}–${last} of ${total}`),
          button("Next ›", () => page(1), { disabled: last >= total }), " per page ", pageSize),
        table([
            { label: "", cell: f => h("input", { type: "checkbox", "data-name": f.Name,
                                                 onchange: e => e.target.checked ? selected.add(f.Name) : selected.delete(f.Name) }) },
            { label: "Name", key: "Name", cell: f => h("span", {}, link(f.Name, fileRoute(f.Name)),
                                                      f.isSuperfile ? h("span", { class: "tag" }, "superfile") : null,
                                                      f.IsProtected ? h("span", { class: "tag warn" }, "protected") : null) },
            { label: "Owner", key: "Owner", cell: f => f.Owner ?? "" },
            { label: "Super Owners", cell: f => f.SuperOwners ?? "" },
            { label: "Cluster", key: "NodeGroup", cell: f => f.NodeGroup ?? "" },
            { label: "Parts", cell: f => f.Parts ?? "" },
            { label: "Size", key: "FileSize", class: "num", cell: f => f.IntSize != null ? fmtSize(f.IntSize) : "" },
            { label: "Records", key: "RecordCount", class: "num", cell: f => f.IntRecordCount ?? "" },
            { label: "Modified", key: "Modified", cell: f => f.Modified ?? "" },
        ], files, { empty: "No logical files match.", id: "lf-files", sort: { key: query.Sortby, descending: query.Descending }, onSort: sortBy }));
}

export async function removeFiles(names, then) {
    if (!names.length) {
        say("Select the files to delete first.", "error");
        return;
    }
    if (!confirm(`Delete ${names.join(", ")}?`)) {
        return;
    }
    await guard(async () => {
        const answer = await call("WsDfu", "DFUArrayAction", { Type: "Delete", LogicalFiles: { Item: names } });
        const failed = list(answer.ActionResults, "DFUActionInfo").filter(r => r.Failed);
        if (failed.length) {
            say(failed.map(r => `${r.FileName}: ${r.ActionResult}`).join("; "), "error");
        } else {
            say(`Deleted ${names.join(", ")}`);
        }
    });
    await then();
}

export async function addToSuperfile(names, then) {
    if (!names.length) {
        say("Select the files to add first.", "error");
        return;
    }
    const body = h("div", {},
        h("p", {}, `Files: ${names.join(", ")}`),
        field("Superfile", h("input", { type: "text", name: "Superfile", placeholder: "some::superfile" })),
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "ExistingFile" }), " Existing file"));
    dialog("Add To Superfile", body, [
        { label: "Add", primary: true, run: async form => {
            const superfile = form.elements.namedItem("Superfile").value.trim();
            if (!superfile) {
                throw new Error("Superfile: This field is required");
            }
            await call("WsDfu", "AddtoSuperfile", { Superfile: superfile, names: { Item: names },
                                                   ExistingFile: form.elements.namedItem("ExistingFile").checked });
            say(`Added ${names.join(", ")} to ${superfile}`);
            await then();
            return true;
        } },
        { label: "Cancel", run: () => true },
    ]);
}
