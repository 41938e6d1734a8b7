// Roxie Queries: per target the published queries (the emulator's /hpccemu/roxie/queries; real
// clusters list them through WsWorkunits, not emulated), the files each resolves to through the
// package maps (GetQueryFileMapping), the Dali locks it holds, and a lookup through WsEcl.
import { call, control, list, wsecl } from "./esp.js";
import { button, fill, guard, h, link, table } from "./ui.js";
import { fileRoute } from "./files.js";
import { targets } from "./packagemaps.js";

const state = { target: null };

export async function render(main) {
    const names = await targets();
    state.target = names.includes(state.target) ? state.target : names[0];
    const pick = h("select", { id: "rq-target", onchange: () => { state.target = pick.value; guard(() => render(main)); } },
        names.map(n => h("option", { value: n, selected: n === state.target }, n)));
    const holder = h("div", { id: "rq-queries" });
    fill(main, h("h1", {}, "Roxie Queries"),
        h("div", { class: "toolbar" }, h("label", {}, "Target ", pick), h("span", { class: "sep" }),
          button("Refresh", () => guard(() => render(main)))), holder);
    if (!state.target) {
        return;
    }
    const queries = (await control(`roxie/queries?target=${encodeURIComponent(state.target)}`)).Queries ?? [];
    if (!queries.length) {
        fill(holder, h("p", {}, "No queries are published on this target."));
        return;
    }
    fill(holder, await Promise.all(queries.map(q => card(q))));
}

async function card(q) {
    const mapping = await guard(() => call("WsPackageProcess", "GetQueryFileMapping", { Target: state.target, QueryName: q.QueryId }));
    const supers = list(mapping?.SuperFiles, "SuperFile");
    const unmapped = list(mapping?.UnmappedFiles, "File");
    const resolved = [...supers.map(s => ({ name: s.Name, to: list(s.SubFiles, "File") })), ...unmapped.map(n => ({ name: n, to: [] }))];
    const status = q.Suspended ? h("span", { class: "tag warn" }, `suspended${q.SuspendedReason ? `: ${q.SuspendedReason}` : ""}`)
                               : h("span", { class: "tag ok" }, "loaded");
    const fileLink = name => link(name, fileRoute(name));
    const result = h("div", { class: "lookup-result" });
    const inputs = q.Keys.map(k => h("label", {}, `${k} `, h("input", { type: "text", name: k, size: 10 })));
    const form = h("form", { class: "lookup" }, inputs, h("button", { type: "submit" }, "Look up"));
    form.addEventListener("submit", event => {
        event.preventDefault();
        guard(async () => {
            const params = Object.fromEntries(q.Keys.map(k => [k, form.elements.namedItem(k).value]));
            const answer = await wsecl(state.target, q.QueryId, params);
            const results = Object.values(answer)[0]?.Results ?? {};
            const sets = Object.entries(results);
            fill(result, sets.length ? sets.map(([name, set]) => {
                const rows = list(set, "Row");
                const columns = rows.length ? Object.keys(rows[0]) : [];
                return h("div", {}, h("h4", {}, name), table(columns.map(c => ({ label: c, cell: r => String(r[c] ?? "") })), rows,
                                                              { empty: "No matching records." }));
            }) : h("p", {}, "No results."));
        });
    });
    return h("section", { class: "query", "data-query": q.QueryId },
        h("h2", {}, q.QueryId, " ", q.Activated ? h("span", { class: "tag ok" }, "active") : h("span", { class: "tag" }, "inactive"), " ", status),
        h("div", { class: "columns" },
          h("div", {}, h("h3", {}, "Files and what they resolve to"),
            table([{ label: "File", cell: r => r.name }, { label: "Resolves to", cell: r => r.to.length ? r.to.map(n => h("div", {}, fileLink(n))) : "(not mapped by the active package map: through Dali)" }],
                  resolved.length ? resolved : q.Files.map(f => ({ name: f.name, to: [] })), { id: `rq-files-${q.QueryId}` })),
          h("div", {}, h("h3", {}, "Locks held"),
            table([{ label: "File", cell: l => fileLink(l.name) }, { label: "Mode", cell: l => l.mode }], q.Locks ?? [],
                  { empty: "No locks.", id: `rq-locks-${q.QueryId}` }))),
        h("h3", {}, "Lookup"), form, result);
}
