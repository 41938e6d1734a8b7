// DFU Workunits: the list (GetDFUWorkunits) with states and progress, and one workunit's page
// whose progress bar follows GetDFUProgress while the job runs; Abort (AbortDFUWorkunit).
import { call, list } from "./esp.js";
import { button, fill, guard, h, link, progress, say, table } from "./ui.js";

const FINAL = new Set(["finished", "failed", "aborted"]);
const POLL_MS = 250;

export async function render(main) {
    const answer = await call("FileSpray", "GetDFUWorkunits", { PageSize: 100, Sortby: "ID", Descending: true });
    const wus = list(answer.results, "DFUWorkunit");
    fill(main, h("h1", {}, "DFU Workunits"),
        h("div", { class: "toolbar" }, button("Refresh", () => guard(() => render(main)))),
        table([
            { label: "ID", cell: w => link(w.ID, `workunits/${w.ID}`) },
            { label: "Command", cell: w => w.CommandMessage ?? "" },
            { label: "Job Name", cell: w => w.JobName ?? "" },
            { label: "Cluster", cell: w => w.ClusterName ?? "" },
            { label: "State", cell: w => h("span", { class: `state ${w.StateMessage ?? ""}` }, w.StateMessage ?? "") },
            { label: "Progress", cell: w => progress(w.PercentDone ?? 0) },
        ], wus, { empty: "No DFU workunits yet.", id: "wu-list" }));
}

/** One workunit; returns a function that stops the polling when the page is left. */
export async function renderOne(main, wuid) {
    let stopped = false;
    const bar = h("div", { id: "wu-progress" });
    const stateEl = h("span", { id: "wu-state", class: "state" });
    const messageEl = h("p", { id: "wu-message" });
    const details = h("div", { id: "wu-details" });
    const abort = button("Abort", () => guard(async () => {
        await call("FileSpray", "AbortDFUWorkunit", { wuid });
        say(`Abort requested for ${wuid}`);
    }), { id: "wu-abort", class: "danger" });
    fill(main, h("h1", {}, "DFU Workunit ", h("code", {}, wuid)),
        h("div", { class: "toolbar" }, link("All workunits", "workunits"), h("span", { class: "sep" }), abort),
        h("div", { class: "summary" }, h("span", {}, "State: ", stateEl), bar, messageEl), details);

    const showDetails = async () => {
        const wu = (await call("FileSpray", "GetDFUWorkunit", { wuid })).result ?? {};
        const rows = [["Job Name", wu.JobName], ["Queue", wu.Queue],
            ["Source", wu.SourceLogicalName || `${wu.SourceIP ?? ""}:${wu.SourceFilePath ?? ""}`],
            ["Destination", wu.DestLogicalName || `${wu.DestIP ?? ""}:${wu.DestFilePath ?? ""}`],
            ["Destination Group", wu.DestGroupName], ["Parts", wu.DestNumParts], ["Started", wu.TimeStarted],
            ["Stopped", wu.TimeStopped], ["Summary", wu.SummaryMessage]].filter(([, v]) => v !== undefined && v !== null && v !== "" && v !== ":");
        fill(details, h("table", { class: "props" }, rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v))))),
             wu.DestLogicalName && wu.State === 6 ? h("p", {}, "Open ", link(wu.DestLogicalName, `files/${encodeURIComponent(wu.DestLogicalName)}`)) : null);
    };
    const poll = async () => {
        while (!stopped) {
            const p = await call("FileSpray", "GetDFUProgress", { wuid });
            fill(bar, progress(p.PercentDone ?? 0));
            stateEl.textContent = p.State ?? "";
            stateEl.className = `state ${p.State ?? ""}`;
            messageEl.textContent = p.ProgressMessage || p.SummaryMessage || "";
            if (FINAL.has(p.State)) {
                abort.disabled = true;
                await showDetails();
                return;
            }
            await new Promise(resolve => setTimeout(resolve, POLL_MS));
        }
    };
    await showDetails();
    guard(poll);
    return () => { stopped = true; };
}
