// Package Maps: per Roxie target the maps (ListPackages) with their active flag, activate /
// deactivate / delete, their parts (GetPackageMapById) with remove, a map or a part added from a
// file (AddPackage, AddPartToPackageMap), and validation results (ValidatePackage).
import { call, list } from "./esp.js";
import { button, dialog, field, fill, guard, h, say, table } from "./ui.js";

const state = { target: null, open: null };

export async function targets() {
    const options = await call("WsPackageProcess", "GetPackageMapSelectOptions", { IncludeTargets: true, IncludeProcesses: true });
    return list(options.Targets, "TargetData").map(t => t.Name);
}

export async function render(main) {
    const names = await targets();
    state.target = names.includes(state.target) ? state.target : names[0];
    const maps = h("div", { id: "pm-maps" });
    const detail = h("div", { id: "pm-detail" });
    const pick = h("select", { id: "pm-target", onchange: () => { state.target = pick.value; state.open = null; guard(() => render(main)); } },
        names.map(n => h("option", { value: n, selected: n === state.target }, n)));
    fill(main, h("h1", {}, "Package Maps"),
        h("div", { class: "toolbar" }, h("label", {}, "Target ", pick), h("span", { class: "sep" }),
          button("Add Package Map", () => addMap(main), { id: "pm-add" }),
          button("Validate Active", () => guard(() => validate(detail, { Target: state.target, Active: true }, "the active map"))),
          button("Refresh", () => guard(() => render(main)))),
        maps, detail);
    if (!state.target) {
        fill(maps, h("p", {}, "No Roxie targets are configured."));
        return;
    }
    const answer = await call("WsPackageProcess", "ListPackages", { Target: state.target });
    const rows = list(answer.PackageMapList, "PackageListMapData");
    const act = (method, map, words) => guard(async () => {
        const r = await call("WsPackageProcess", method, { Target: state.target, PackageMap: map.Id.split("::").slice(1).join("::") || map.Id, Process: map.Process || "*" });
        say(r.status?.Description || `${words} ${map.Id}`);
        await render(main);
    });
    fill(maps, table([
        { label: "Id", cell: m => h("a", { href: "javascript:void 0", "data-map": m.Id, onclick: () => { state.open = m.Id; guard(() => showMap(detail, m, main)); } }, m.Id) },
        { label: "Target", cell: m => m.Target },
        { label: "Process", cell: m => m.Process ?? "" },
        { label: "Active", cell: m => h("span", { class: m.Active ? "tag ok" : "tag" }, m.Active ? "active" : "inactive") },
        { label: "", cell: m => [
            m.Active ? button("Deactivate", () => act("DeActivatePackage", m, "Deactivated"), { class: "small" })
                     : button("Activate", () => act("ActivatePackage", m, "Activated"), { class: "small", "data-activate": m.Id }),
            button("Delete", () => confirm(`Delete package map ${m.Id}?`) && act("DeletePackage", m, "Deleted"), { class: "small danger" }),
        ] },
    ], rows, { empty: "No package maps for this target.", id: "pm-list" }));
    const open = rows.find(m => m.Id === state.open);
    if (open) {
        await showMap(detail, open, main);
    }
}

function mapName(map) {
    return map.Id.includes("::") ? map.Id.split("::").slice(1).join("::") : map.Id;
}

async function showMap(detail, map, main) {
    const answer = await call("WsPackageProcess", "GetPackageMapById", { PackageMapId: map.Id });
    const doc = new DOMParser().parseFromString(answer.Info ?? "<PackageMaps/>", "text/xml");
    const parts = [...doc.documentElement.children].filter(e => e.tagName === "Part");
    const results = h("div", { id: "pm-validation" });
    fill(detail, h("h2", {}, "Package map ", h("code", {}, map.Id)),
        h("div", { class: "toolbar" }, button("Add Part", () => addPart(map, main), { id: "pm-add-part" }),
          button("Validate", () => guard(() => validate(results, { Target: state.target, PMID: mapName(map) }, map.Id)))),
        table([
            { label: "Part", cell: p => p.getAttribute("id") },
            { label: "Packages", cell: p => [...p.getElementsByTagName("Package")].map(x => x.getAttribute("id")).join(", ") },
            { label: "Superfiles", cell: p => [...p.getElementsByTagName("SuperFile")].map(x => x.getAttribute("id")).join(", ") },
            { label: "", cell: p => button("Remove", () => guard(async () => {
                if (!confirm(`Remove part ${p.getAttribute("id")}?`)) {
                    return;
                }
                await call("WsPackageProcess", "RemovePartFromPackageMap", { Target: state.target, PackageMap: mapName(map), PartName: p.getAttribute("id") });
                say(`Removed part ${p.getAttribute("id")}`);
                await render(main);
            }), { class: "small danger" }) },
        ], parts, { empty: "The map has no parts.", id: "pm-parts" }),
        h("details", {}, h("summary", {}, "XML"), h("pre", {}, answer.Info ?? "")), results);
}

async function validate(holder, request, what) {
    const answer = await call("WsPackageProcess", "ValidatePackage", request);
    const results = list(answer.Results, "Result");
    if (!results.length) {
        fill(holder, h("p", {}, `Nothing to validate for ${what}.`));
        return;
    }
    const section = (label, items) => items.length ? h("div", { "data-kind": label }, h("h4", {}, label), h("ul", {}, items.map(i => h("li", {}, i)))) : null;
    fill(holder, h("h3", {}, `Validation of ${what}`), results.map(r => {
        const findings = [section("Errors", list(r.Errors, "Item")), section("Warnings", list(r.Warnings, "Item")),
            section("Unmatched packages", list(r.packages?.Unmatched, "Item")), section("Unmatched queries", list(r.queries?.Unmatched, "Item")),
            section("Unmatched files", list(r.files?.Unmatched, "Item")),
            section("Files not in DFS", list(r.files?.NotInDFS, "File").map(f => typeof f === "string" ? f : f.Name ?? JSON.stringify(f)))].filter(Boolean);
        return h("div", { class: "validation" }, h("p", {}, `${r.PMID ?? ""} on ${r.Target ?? ""}: `,
            h("strong", {}, findings.length ? "findings below" : "no problems found")), findings);
    }));
}

function fromFile(label) {
    const chooser = h("input", { type: "file", name: "file", accept: ".pkg,.xml,text/xml" });
    const area = h("textarea", { name: "content", rows: 8, placeholder: "<RoxiePackages>...</RoxiePackages>" });
    chooser.addEventListener("change", async () => {
        if (chooser.files[0]) {
            area.value = await chooser.files[0].text();
        }
    });
    return [field(label, chooser), field("Content", area)];
}

async function readContent(form) {
    const chooser = form.elements.namedItem("file");
    const text = form.elements.namedItem("content").value || (chooser.files[0] ? await chooser.files[0].text() : "");
    if (!text.trim()) {
        throw new Error("Choose a package file or paste its content");
    }
    return text;
}

function addMap(main) {
    dialog(`Add Package Map to ${state.target}`, h("div", {},
        field("Package Map", h("input", { type: "text", name: "PackageMap", placeholder: "mymap.pkg" })), ...fromFile("Package File"),
        h("div", { class: "checks" }, h("label", { class: "check" }, h("input", { type: "checkbox", name: "Activate" }), " Activate"),
          h("label", { class: "check" }, h("input", { type: "checkbox", name: "OverWrite" }), " Overwrite"))), [
        { label: "Add", primary: true, run: async form => {
            const name = form.elements.namedItem("PackageMap").value.trim() || form.elements.namedItem("file").files[0]?.name;
            if (!name) {
                throw new Error("Package Map: This field is required");
            }
            const answer = await call("WsPackageProcess", "AddPackage", { Target: state.target, PackageMap: name, Process: "*",
                Info: await readContent(form), Activate: form.elements.namedItem("Activate").checked,
                OverWrite: form.elements.namedItem("OverWrite").checked });
            const missing = list(answer.FilesNotFound, "File");
            say(`${answer.status?.Description ?? `Added ${name}`}${missing.length ? `; files not found: ${missing.join(", ")}` : ""}`);
            state.open = `${state.target}::${name}`;
            await render(main);
        } },
        { label: "Cancel", run: () => true }]);
}

function addPart(map, main) {
    dialog(`Add Part to ${map.Id}`, h("div", {},
        field("Part Name", h("input", { type: "text", name: "PartName", placeholder: "part.pkg" })), ...fromFile("Part File"),
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "DeletePrevious" }), " Delete previous part of the same name")), [
        { label: "Add", primary: true, run: async form => {
            const part = form.elements.namedItem("PartName").value.trim() || form.elements.namedItem("file").files[0]?.name;
            if (!part) {
                throw new Error("Part Name: This field is required");
            }
            await call("WsPackageProcess", "AddPartToPackageMap", { Target: state.target, PackageMap: mapName(map), Process: "*",
                PartName: part, Content: await readContent(form), DeletePrevious: form.elements.namedItem("DeletePrevious").checked });
            say(`Added part ${part} to ${map.Id}`);
            await render(main);
        } },
        { label: "Cancel", run: () => true }]);
}
