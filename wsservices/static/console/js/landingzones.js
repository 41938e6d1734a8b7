// Landing Zones: browse a drop zone's folders (FileList), upload with a progress bar
// (UploadFile), download (DownloadFile), delete (DeleteDropZoneFiles), and the import dialogs.
import { call, downloadUrl, list, upload } from "./esp.js";
import { button, fill, fmtSize, guard, h, progress, say, table } from "./ui.js";
import { openSprayDialog, SPRAY_FORMATS } from "./spray.js";

const state = { zone: null, path: null };

function joinPath(dir, name) {
    return `${dir.replace(/\/+$/, "")}/${name}`;
}

export async function render(main) {
    const zones = list((await call("FileSpray", "DropZoneFiles")).DropZones, "DropZone");
    if (!zones.length) {
        fill(main, h("p", {}, "No drop zones are configured."));
        return;
    }
    state.zone = zones.find(z => z.Name === state.zone?.Name) ?? zones[0];
    state.path = state.path?.startsWith(state.zone.Path) ? state.path : `${state.zone.Path.replace(/\/+$/, "")}/`;

    const listing = h("div", { id: "lz-listing" });
    const zoneSelect = h("select", { id: "lz-zone", onchange: () => {
        state.zone = zones.find(z => z.Name === zoneSelect.value);
        state.path = `${state.zone.Path.replace(/\/+$/, "")}/`;
        guard(() => show(listing));
    } }, zones.map(z => h("option", { value: z.Name, selected: z.Name === state.zone.Name }, `${z.Name} (${z.NetAddress})`)));
    const chooser = h("input", { type: "file", id: "lz-upload-input", multiple: true });
    const bar = h("div", { id: "lz-upload-progress" });
    const startUpload = () => guard(async () => {
        if (!chooser.files.length) {
            say("Choose one or more files to upload first.", "error");
            return;
        }
        const names = [...chooser.files].map(f => f.name);
        fill(bar, progress(0, "uploading"));
        try {
            await upload([...chooser.files], state.zone, state.path, f => fill(bar, progress(Math.round(f * 100), f < 1 ? "uploading" : "uploaded")));
        } catch (error) {
            fill(bar);
            throw error;
        }
        say(`Uploaded ${names.join(", ")} to ${state.path}`);
        chooser.value = "";
        await show(listing);
    });
    fill(main,
        h("h1", {}, "Landing Zones"),
        h("div", { class: "toolbar" }, h("label", {}, "Drop zone ", zoneSelect),
          h("span", { class: "sep" }), chooser, button("Upload", startUpload, { id: "lz-upload" }), bar),
        listing);
    await show(listing);
}

async function show(listing) {
    const zone = state.zone;
    const answer = await call("FileSpray", "FileList", { DropZoneName: zone.Name, Netaddr: zone.NetAddress, Path: state.path });
    const files = list(answer.files, "PhysicalFileStruct");
    const selected = new Set();
    const refresh = () => guard(() => show(listing));
    const open = dir => { state.path = `${joinPath(state.path, dir)}/`; refresh(); };
    const up = () => {
        const root = `${zone.Path.replace(/\/+$/, "")}/`;
        if (state.path !== root) {
            state.path = state.path.replace(/[^/]+\/$/, "");
            refresh();
        }
    };
    const chosen = () => files.filter(f => selected.has(f.name) && !f.isDir)
        .map(f => ({ name: f.name, fullPath: joinPath(state.path, f.name) }));
    const spray = format => guard(async () => {
        const picked = chosen();
        if (!picked.length) {
            say("Select one or more files to import first.", "error");
            return;
        }
        await openSprayDialog(format, picked, zone, wuids => {
            say(`Spray submitted: ${wuids.join(", ")}`);
            location.hash = wuids.length === 1 ? `#/workunits/${wuids[0]}` : "#/workunits";
        });
    });
    const remove = () => guard(async () => {
        const names = [...selected];
        if (!names.length) {
            say("Select the files to delete first.", "error");
            return;
        }
        if (!confirm(`Delete ${names.join(", ")} from ${state.path}?`)) {
            return;
        }
        const result = await call("FileSpray", "DeleteDropZoneFiles", { DropZoneName: zone.Name, NetAddress: zone.NetAddress,
                                                                       Path: state.path, OS: 2, Names: { Item: names } });
        const failed = list(result.DFUActionResults, "DFUActionResult").filter(r => !/^Success/.test(r.Result ?? ""));
        if (failed.length) {
            say(failed.map(r => `${r.ID}: ${r.Result}`).join("; "), "error");
        } else {
            say(`Deleted ${names.join(", ")}`);
        }
        await show(listing);
    });
    const grid = table([
        { label: "", cell: f => h("input", { type: "checkbox", "data-name": f.name,
                                             onchange: e => e.target.checked ? selected.add(f.name) : selected.delete(f.name) }) },
        { label: "Name", cell: f => f.isDir ? h("a", { href: "javascript:void 0", class: "folder", onclick: () => open(f.name) }, `${f.name}/`) : f.name },
        { label: "Size", class: "num", cell: f => f.isDir ? "" : fmtSize(f.filesize) },
        { label: "Modified", cell: f => f.modifiedtime ?? "" },
        { label: "", cell: f => f.isDir ? "" : h("a", { href: downloadUrl(zone, state.path, f.name), download: f.name }, "Download") },
    ], files, { empty: "This folder is empty.", id: "lz-files" });
    fill(listing,
        h("div", { class: "toolbar" },
          button("Up", up, { title: "Parent folder", id: "lz-up" }), h("code", { id: "lz-path" }, state.path),
          h("span", { class: "sep" }), button("Refresh", refresh),
          button("Delete", remove, { class: "danger" }), h("span", { class: "sep" }), "Import: ",
          Object.entries(SPRAY_FORMATS).map(([key, f]) => button(f.title, () => spray(key), { "data-spray": key }))),
        grid);
}
