// A person using the web console (/console/) in headless Chromium, through the UI only: upload a
// CSV to the landing zone, spray it with the Delimited dialog (its checks first), watch the DFU
// workunit's progress bar reach 100%, open the file and see its rows, add it to a superfile, add
// and activate a package map from a file, and see the Roxie query's resolved files, locks and a
// lookup; then service errors shown as readable messages. Flows run in order and share the names
// they create. Publishing the query is the one step done outside the UI (WsWorkunits is not
// emulated; /hpccemu/roxie/publish stands in for it).
//
//   node console_flow.mjs http://127.0.0.1:8010 [--only=...] [--shots=DIR]   (DIR: a PNG per page)
import { chromium } from "playwright-core";
import { check, checkEqual, parseArgs, runFlows, uniqueTag, waitFor } from "./lib.mjs";

const CHROMIUM = process.env.HPCCEMU_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TAG = uniqueTag();
const CSV = `${["1,Ann", "2,Bob", "3,Cid", "4,Dee", "5,Eve"].join("\n")}\n`;
const shared = { csv: `people_${TAG}.csv`, scope: `console::${TAG}`, file: `console::${TAG}::people`,
                 superfile: `console::${TAG}::all`, superkey: `console::${TAG}::key`, query: `q_${TAG}`, map: `m_${TAG}.pkg` };
const shotsDir = process.argv.find(a => a.startsWith("--shots="))?.slice(8);

/** Opens a console page by clicking its tab; waits until the page says it is ready. */
async function openTab(page, label) {
    await page.locator("nav a", { hasText: label }).click();
    await ready(page);
}

async function ready(page) {
    // the page for the current address, not the one a click or goto is leaving (hashchange is async)
    await page.waitForFunction(() => {
        const main = document.querySelector("main");
        return main && main.dataset.ready && main.dataset.route === location.hash;
    });
}

async function shot(page, name) {
    if (shotsDir) {
        await page.screenshot({ path: `${shotsDir}/${name}.png`, fullPage: true });
    }
}

/** The texts of the page's error messages (ESP exceptions shown by the console). */
async function errorsShown(page) {
    return page.locator("#messages .message.error .text").allTextContents();
}

/** Closes every message on the page with its × button. */
async function dismissMessages(page) {
    for (const close of await page.locator("#messages .message .close").all()) {
        await close.click();
    }
}

async function noErrors(page, what) {
    const errors = await errorsShown(page);
    check(errors.length === 0, `${what}: the page shows errors: ${errors.join(" | ")}`);
}

/** A table row (tr) of `table` that contains `text`. */
function row(page, table, text) {
    return page.locator(`${table} tbody tr`, { hasText: text });
}

/** The Logical Files list's row of one file (other rows may name it as a super owner). */
function fileRow(page, name) {
    return page.locator(`#lf-files tbody tr:has(input[data-name="${name}"])`);
}

// ------------------------------------------------------------------ flows

async function upload(ctx) {
    const page = ctx.page;
    await ctx.step("open / and follow its Console link", async () => {
        await page.goto(`${ctx.url}/`);
        await page.locator('a[href="/console/"]').click();
        await ready(page);
    });
    await ctx.step("the console opens on Landing Zones", async () => {
        checkEqual(await page.locator("main h1").textContent(), "Landing Zones", "first page");
        check(await page.locator("#lz-path").textContent() === "/var/lib/HPCCSystems/mydropzone/", "the drop zone's root folder is shown");
    });
    await ctx.step(`choose ${shared.csv} and upload it`, async () => {
        await page.locator("#lz-upload-input").setInputFiles({ name: shared.csv, mimeType: "text/csv", buffer: Buffer.from(CSV) });
        await page.locator("#lz-upload").click();
    });
    await ctx.step("the upload's progress bar reaches 100%", async () => {
        await page.locator('#lz-upload-progress [role="progressbar"][aria-valuenow="100"]').waitFor();
        check((await page.locator("#lz-upload-progress").textContent()).includes("100%"), "the bar says 100%");
    });
    await ctx.step("the file is listed with its size", async () => {
        const line = row(page, "#lz-files", shared.csv);
        await line.waitFor();
        check((await line.textContent()).includes(`${CSV.length} B`), `size ${CSV.length} B shown: ${await line.textContent()}`);
        check(await line.locator(`a[href*="DownloadFile"][href*="${shared.csv}"]`).count() === 1, "a download link");
    });
    await ctx.step("the download link serves the bytes", async () => {
        const href = await row(page, "#lz-files", shared.csv).locator("a[download]").getAttribute("href");
        const got = await page.evaluate(async h => (await fetch(h)).text(), href);
        checkEqual(got, CSV, "downloaded content");
    });
    await noErrors(page, "landing zone");
    await shot(page, "landing-zones");
}

async function spray(ctx) {
    const page = ctx.page;
    const dialog = page.locator("dialog.modal");
    await ctx.step("select the CSV and open the Delimited dialog", async () => {
        await row(page, "#lz-files", shared.csv).locator('input[type="checkbox"]').check();
        await page.locator('button[data-spray="delimited"]').click();
        await dialog.waitFor();
    });
    await ctx.step("the dialog has ECL Watch's fields and defaults", async () => {
        checkEqual(await dialog.locator("h2").textContent(), "Import Delimited", "title");
        const values = {};
        for (const name of ["destGroup", "DFUServerQueue", "sourceFormat", "sourceCsvSeparate", "sourceCsvQuote", "sourceCsvTerminate", "sourceCsvEscape", "file.0.name"]) {
            values[name] = await dialog.locator(`[name="${name}"]`).inputValue();
        }
        checkEqual(values, { destGroup: "mythor", DFUServerQueue: "dfuserver_queue", sourceFormat: "1", sourceCsvSeparate: "\\,",
                             sourceCsvQuote: "\"", sourceCsvTerminate: "\\n,\\r\\n", sourceCsvEscape: "", "file.0.name": shared.csv }, "defaults");
        const boxes = {};
        for (const name of ["overwrite", "replicate", "nosplit", "noCommon", "compress", "failIfNoSourceFile", "recordStructurePresent", "quotedTerminator"]) {
            boxes[name] = await dialog.locator(`input[name="${name}"]`).isChecked();
        }
        checkEqual(boxes, { overwrite: false, replicate: false, nosplit: false, noCommon: true, compress: false, failIfNoSourceFile: false,
                            recordStructurePresent: false, quotedTerminator: false }, "checkbox defaults");
        await shot(page, "spray-delimited");
    });
    await ctx.step("bad Target Scope, Target Name and parts are refused on the page", async () => {
        await dialog.locator('[name="namePrefix"]').fill("bad scope!");
        await dialog.locator('[name="file.0.name"]').fill("");
        await dialog.locator('[name="file.0.parts"]').fill("four");
        await dialog.locator("button.primary").click();
        const notes = await dialog.locator("small.invalid").allTextContents();
        for (const text of ['Should match pattern "some::prefix"', "File name is required", "Enter a valid number"]) {
            check(notes.includes(text), `validation message ${JSON.stringify(text)} shown; got ${JSON.stringify(notes)}`);
        }
        check(await dialog.isVisible(), "the dialog stays open");
    });
    let wuid;
    await ctx.step("fill it in properly and import", async () => {
        await dialog.locator('[name="namePrefix"]').fill(shared.scope);
        await dialog.locator('[name="file.0.name"]').fill("people");
        await dialog.locator('[name="file.0.parts"]').fill("");
        await dialog.locator('input[name="overwrite"]').check();
        await dialog.locator("button.primary").click();
        await page.waitForURL(/#\/workunits\/D\d{8}-\d{6}/);
        wuid = decodeURIComponent(page.url().split("#/workunits/")[1]);
        await ready(page);
    });
    await ctx.step("the workunit's progress bar reaches 100% and the state 'finished'", async () => {
        await page.locator('#wu-progress [role="progressbar"][aria-valuenow="100"]').waitFor();
        await waitFor(async () => (await page.locator("#wu-state").textContent()) === "finished", "state finished");
        check((await page.locator("#wu-progress").textContent()).includes("100%"), "the bar says 100%");
        check(await page.locator("#wu-abort").isDisabled(), "Abort is disabled once the workunit is done");
        check((await page.locator("#wu-details").textContent()).includes(shared.file), "the destination is shown");
    });
    await ctx.step("the workunit is in the DFU Workunits list, finished", async () => {
        await shot(page, "dfu-workunit");
        await openTab(page, "DFU Workunits");
        const line = row(page, "#wu-list", wuid);
        check((await line.textContent()).includes("finished"), `the list shows ${wuid} finished: ${await line.textContent()}`);
        await shot(page, "dfu-workunits");
    });
    ctx.notes.wuid = wuid;
}

async function browse(ctx) {
    const page = ctx.page;
    await ctx.step("Logical Files: filter by the scope", async () => {
        await openTab(page, "Logical Files");
        await page.locator('#lf-filters [name="LogicalName"]').fill(`${shared.scope}::*`);
        await page.locator("#lf-filters button[type=submit]").click();
        await waitFor(async () => (await page.locator("#lf-range").textContent()) === "1–1 of 1", "one file listed");
        check((await fileRow(page, shared.file).textContent()).includes("mythor"), "its cluster is listed");
        await shot(page, "logical-files");
    });
    await ctx.step("open the file: parts per node with sizes", async () => {
        await fileRow(page, shared.file).locator("a", { hasText: shared.file }).click();
        await ready(page);
        checkEqual(await page.locator("#lf-parts tbody tr").count(), 4, "parts listed (4 nodes)");
        const sizes = await page.locator("#lf-parts tbody tr td.num").allTextContents();
        checkEqual(sizes.reduce((n, s) => n + Number(s.replace(/ B$/, "")), 0), CSV.length, "part sizes add up to the CSV");
        check((await page.locator("#lf-ecl").textContent()).includes("STRING field1;"), "the ECL record is shown");
    });
    await ctx.step("its rows are shown in a table", async () => {
        const cells = await page.locator("#lf-rows tbody td").allTextContents();
        for (const value of ["1,Ann", "3,Cid", "5,Eve"]) {
            check(cells.includes(value), `row ${value} shown; cells: ${JSON.stringify(cells.slice(0, 20))}`);
        }
        await noErrors(page, "file page");
        await shot(page, "logical-file");
    });
    await ctx.step("Protect, then Unprotect", async () => {
        await page.locator("#lf-protect").click();
        await page.locator("#lf-protection table").waitFor();
        await waitFor(async () => (await page.locator("#lf-protect").textContent()) === "Unprotect", "the button turns into Unprotect");
        await page.locator("#lf-protect").click();
        await waitFor(async () => (await page.locator("#lf-protection").textContent()).includes("Not protected."), "not protected any more");
    });
}

async function superfile(ctx) {
    const page = ctx.page;
    await ctx.step("Logical Files: select the file, Add To Superfile", async () => {
        await openTab(page, "Logical Files");
        await fileRow(page, shared.file).locator('input[type="checkbox"]').check();
        await page.locator("#lf-add-super").click();
        const dialog = page.locator("dialog.modal");
        await dialog.locator('[name="Superfile"]').fill(shared.superfile);
        await dialog.locator("button.primary").click();
        await dialog.waitFor({ state: "detached" });
        await ready(page);
        await noErrors(page, "AddtoSuperfile");
    });
    await ctx.step("the superfile is listed, tagged superfile", async () => {
        await waitFor(async () => (await fileRow(page, shared.superfile).count()) === 1, "superfile listed");
        check((await fileRow(page, shared.superfile).textContent()).includes("superfile"), "tagged");
    });
    await ctx.step("its page shows the member in its tree", async () => {
        await fileRow(page, shared.superfile).locator("a", { hasText: shared.superfile }).click();
        await ready(page);
        checkEqual(await page.locator("#lf-subfiles ul.tree > li > a").allTextContents(), [shared.file], "members");
        await shot(page, "superfile");
    });
    await ctx.step("a nested superfile: the superkey holding the superfile", async () => {
        // the superkey the query reads holds the file; made here through the superfile page's Add
        await page.goto(`${ctx.url}/console/#/files`);
        await ready(page);
        await fileRow(page, shared.file).locator('input[type="checkbox"]').check();
        await page.locator("#lf-add-super").click();
        const dialog = page.locator("dialog.modal");
        await dialog.locator('[name="Superfile"]').fill(shared.superkey);
        await dialog.locator("button.primary").click();
        await dialog.waitFor({ state: "detached" });
        await ready(page);
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent(shared.superkey)}`);
        await ready(page);
        await page.locator("#lf-add-subfile").fill(shared.superfile);
        await page.locator("#lf-subfiles button", { hasText: "Add Subfile" }).click();
        await waitFor(async () => (await page.locator("#lf-subfiles ul.tree ul.tree a").count()) === 1, "the nested member shown");
        checkEqual(await page.locator("#lf-subfiles ul.tree ul.tree a").allTextContents(), [shared.file], "nested member");
    });
    await ctx.step("remove the superfile from the superkey again", async () => {
        await page.locator(`#lf-subfiles button[data-remove="${shared.superfile}"]`).click();
        await waitFor(async () => (await page.locator("#lf-subfiles ul.tree > li > a").allTextContents()).join() === shared.file, "one member left");
    });
    await ctx.step("the file's page lists both superfile owners", async () => {
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent(shared.file)}`);
        await ready(page);
        const owners = await page.locator("#lf-owners li").allTextContents();
        checkEqual(owners.sort(), [shared.superfile, shared.superkey].sort(), "superfile owners");
    });
}

async function dialogs(ctx) {
    const page = ctx.page;
    const dialog = page.locator("dialog.modal");
    const expected = {
        fixed: { title: "Import Fixed", columns: ["Target Name", "Record Length", "Number of Parts"], nosplit: [false, false], format: null },
        xml: { title: "Import XML", columns: ["Target Name", "Row Tag", "Number of Parts"], nosplit: [false, false], format: "2", column: "Row" },
        json: { title: "Import JSON", columns: ["Target Name", "Row Path", "Number of Parts"], nosplit: [true, true], format: "2", column: "/" },
        variable: { title: "Import Variable", columns: ["Target Name", "Number of Parts"], nosplit: [true, true], format: "recfmv" },
        blob: { title: "Import Blob", columns: ["Source Path (Wildcard Enabled)", "Number of Parts"], nosplit: [true, true], format: null },
    };
    await ctx.step("open Landing Zones and select the CSV", async () => {
        await openTab(page, "Landing Zones");
        await row(page, "#lz-files", shared.csv).locator('input[type="checkbox"]').check();
    });
    for (const [format, want] of Object.entries(expected)) {
        await ctx.step(`the ${format} dialog: its columns and defaults`, async () => {
            await page.locator(`button[data-spray="${format}"]`).click();
            await dialog.waitFor();
            checkEqual(await dialog.locator("h2").textContent(), want.title, "title");
            checkEqual(await dialog.locator("table.files th").allTextContents(), want.columns, `${format} columns`);
            const nosplit = dialog.locator('input[name="nosplit"]');
            checkEqual([await nosplit.isChecked(), await nosplit.isDisabled()], want.nosplit, `${format} No Split [checked, disabled]`);
            if (want.format) {
                checkEqual(await dialog.locator('[name="sourceFormat"]').inputValue(), want.format, `${format} Format`);
            }
            if (want.column) {
                checkEqual(await dialog.locator('[name="file.0.column"]').inputValue(), want.column, `${format} ${want.columns[1]}`);
            }
            if (format === "fixed") {
                await dialog.locator("button.primary").click();
                check((await dialog.locator("small.invalid").allTextContents()).includes("Record Length is required"), "Record Length required");
            }
            if (format === "blob") {
                check((await dialog.locator('[name="file.0.name"]').inputValue()).endsWith(`/${shared.csv}`), "the source path is the file's");
                await dialog.locator('[name="destLogicalName"]').fill("");
                await dialog.locator("button.primary").click();
                check((await dialog.locator("small.invalid").allTextContents()).includes("This field is required"), "Target Name required");
            }
            await dialog.locator("button", { hasText: "Cancel" }).click();
            await dialog.waitFor({ state: "detached" });
        });
    }
}

/** Submits the open dialog and waits on the workunit page until the job finished; returns the WUID. */
async function submitAndFinish(page, dialog) {
    await dialog.locator("button.primary").click();
    await page.waitForURL(/#\/workunits\/D\d{8}-\d{6}/);
    await ready(page);
    await waitFor(async () => (await page.locator("#wu-state").textContent()) === "finished", "the workunit finished");
    return decodeURIComponent(page.url().split("#/workunits/")[1]);
}

async function transfers(ctx) {
    const page = ctx.page;
    const dialog = page.locator("dialog.modal");
    const openFile = async name => {
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent(name)}`);
        await ready(page);
    };
    const back = `back_${TAG}.csv`;
    const folder = `dir_${TAG}`;
    await ctx.step("Despray the file to the landing zone", async () => {
        await openFile(shared.file);
        await page.locator("main .toolbar button", { hasText: "Despray" }).click();
        checkEqual(await dialog.locator('[name="destPath"]').inputValue(), "people", "the target path defaults to the file's tail");
        await dialog.locator('[name="destPath"]').fill(`${folder}/${back}`);
        await submitAndFinish(page, dialog);
    });
    await ctx.step("the desprayed file is in its folder on the landing zone, with the CSV's bytes; delete it there", async () => {
        await openTab(page, "Landing Zones");
        await row(page, "#lz-files", `${folder}/`).locator("a.folder").click();
        await waitFor(async () => (await page.locator("#lz-path").textContent()).endsWith(`/${folder}/`), "the folder opened");
        const line = row(page, "#lz-files", back);
        check((await line.textContent()).includes(`${CSV.length} B`), `size shown: ${await line.textContent()}`);
        await line.locator('input[type="checkbox"]').check();
        page.once("dialog", d => d.accept());
        await page.locator("main .toolbar button.danger", { hasText: "Delete" }).click();
        await waitFor(async () => (await row(page, "#lz-files", back).count()) === 0, "the file gone from the list");
        await noErrors(page, "DeleteDropZoneFiles");
        await page.locator("#lz-up").click();
        await waitFor(async () => (await page.locator("#lz-path").textContent()) === "/var/lib/HPCCSystems/mydropzone/", "back at the root");
    });
    const copy = `${shared.scope}::people_copy`;
    const renamed = `${shared.scope}::people_renamed`;
    await ctx.step("Copy the file", async () => {
        await openFile(shared.file);
        await page.locator("main .toolbar button", { hasText: "Copy" }).click();
        await dialog.locator('[name="destLogicalName"]').fill(copy);
        await submitAndFinish(page, dialog);
        await openFile(copy);
        checkEqual(await page.locator("#lf-parts tbody tr").count(), 4, "the copy's parts");
    });
    await ctx.step("Rename the copy", async () => {
        await page.locator("main .toolbar button", { hasText: "Rename" }).click();
        await dialog.locator('[name="dstname"]').fill(renamed);
        await submitAndFinish(page, dialog);
        await openFile(renamed);
        check((await page.locator("#lf-rows").textContent()).includes("4,Dee"), "the renamed file's rows");
    });
    await ctx.step("Delete the renamed file", async () => {
        page.once("dialog", d => d.accept());
        await page.locator("main .toolbar button.danger", { hasText: "Delete" }).click();
        await page.waitForURL(/#\/files$/);
        await ready(page);
        await waitFor(async () => (await page.locator("#messages .message.info").allTextContents()).some(t => t.includes(`Deleted ${renamed}`)),
                      "the Deleted message");
    });
}

const PACKAGE = () => `<RoxiePackages>
 <Package id="${shared.query}"><Base id="${shared.query}_data"/></Package>
 <Package id="${shared.query}_data">
  <SuperFile id="~${shared.superkey}"><SubFile value="~${shared.file}"/></SuperFile>
 </Package>
</RoxiePackages>`;

async function packagemap(ctx) {
    const page = ctx.page;
    await ctx.step("(outside the UI) publish a query that reads the superkey", async () => {
        const answer = await page.evaluate(async body => (await fetch("/hpccemu/roxie/publish", { method: "POST", body })).json(),
            JSON.stringify({ target: "roxie", name: shared.query, files: [`~${shared.superkey}`], keys: ["field1"] }));
        check(answer.QueryId === `${shared.query}.1`, `published: ${JSON.stringify(answer)}`);
    });
    await ctx.step("Package Maps: Add Package Map from a file, not activated", async () => {
        await openTab(page, "Package Maps");
        await page.locator("#pm-add").click();
        const dialog = page.locator("dialog.modal");
        await dialog.locator('[name="PackageMap"]').fill(shared.map);
        await dialog.locator('input[type="file"]').setInputFiles({ name: "people.pkg", mimeType: "text/xml", buffer: Buffer.from(PACKAGE()) });
        await waitFor(async () => (await dialog.locator("textarea").inputValue()).includes(shared.query), "the file's content loaded");
        await dialog.locator("button.primary").click();
        await dialog.waitFor({ state: "detached" });
        await ready(page);
        await noErrors(page, "AddPackage");
    });
    const line = () => row(page, "#pm-list", `roxie::${shared.map}`);
    await ctx.step("the map is listed, inactive, with its part", async () => {
        check((await line().textContent()).includes("inactive"), `inactive: ${await line().textContent()}`);
        await page.locator(`#pm-detail table#pm-parts`).waitFor();
        check((await page.locator("#pm-parts").textContent()).includes(`${shared.query}_data`), "the part's packages shown");
    });
    await ctx.step("Activate it", async () => {
        await line().locator("button", { hasText: "Activate" }).click();
        await waitFor(async () => /\bactive\b/.test((await line().locator(".tag").textContent()) ?? ""), "active");
        await noErrors(page, "ActivatePackage");
    });
    await ctx.step("Validate: no errors, the query and its files matched", async () => {
        await page.locator("#pm-detail button", { hasText: "Validate" }).click();
        await page.locator("#pm-validation .validation").waitFor();
        const found = {};
        for (const kind of ["Errors", "Files not in DFS", "Unmatched queries", "Unmatched files", "Unmatched packages"]) {
            found[kind] = await page.locator(`#pm-validation [data-kind="${kind}"] li`).allTextContents();
        }
        checkEqual([found.Errors, found["Files not in DFS"], found["Unmatched packages"]], [[], [], []], "errors, files not in DFS, unmatched packages");
        check(!found["Unmatched queries"].some(q => q.startsWith(shared.query)), `${shared.query} matched: ${JSON.stringify(found)}`);
        check(!found["Unmatched files"].some(f => f.includes(shared.superkey)), `${shared.superkey} matched: ${JSON.stringify(found)}`);
        await shot(page, "package-maps");
    });
}

async function query(ctx) {
    const page = ctx.page;
    const card = () => page.locator(`section.query[data-query="${shared.query}.1"]`);
    await ctx.step("Roxie Queries: the query resolves the superkey to the sprayed file", async () => {
        await openTab(page, "Roxie Queries");
        const text = await card().textContent();
        check(text.includes("loaded") && !text.includes("suspended"), `the query is loaded: ${text}`);
        const files = await card().locator("table").first().locator("tbody tr").allTextContents();
        check(files.length === 1 && files[0].includes(shared.superkey) && files[0].includes(shared.file), `resolved: ${JSON.stringify(files)}`);
    });
    await ctx.step("and holds a lock on it", async () => {
        const locks = await card().locator("table").nth(1).locator("tbody tr").allTextContents();
        checkEqual(locks, [`${shared.file}hold`], "locks");
    });
    await ctx.step("a lookup finds the record", async () => {
        await card().locator('input[name="field1"]').fill("2");
        await card().locator("form.lookup button").click();
        await card().locator(".lookup-result table").waitFor();
        const cells = await card().locator(".lookup-result td").allTextContents();
        checkEqual(cells, ["2", "Bob"], "lookup result");
        await shot(page, "roxie-queries");
    });
}

async function errors(ctx) {
    const page = ctx.page;
    await ctx.step("a missing file: ESP's exception as a readable message", async () => {
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent("no::such::file")}`);
        await page.reload();
        await ready(page);
        const shown = await errorsShown(page);
        check(shown.length === 1, `one error message: ${JSON.stringify(shown)}`);
        check(shown[0].includes("Cannot find file no::such::file") && shown[0].includes("20038"), `readable: ${shown[0]}`);
        check(!/[<>]/.test(shown[0]), `no markup in the message: ${shown[0]}`);
        check((await page.locator("main").textContent()).trim().length > 0, "the page is not blank");
        await shot(page, "error");
    });
    await ctx.step("a spray that ESP refuses: the message stays in the dialog", async () => {
        await page.goto(`${ctx.url}/console/#/landingzones`);
        await page.reload();
        await ready(page);
        await row(page, "#lz-files", shared.csv).locator('input[type="checkbox"]').check();
        await page.locator('button[data-spray="fixed"]').click();
        const dialog = page.locator("dialog.modal");
        await dialog.locator('[name="file.0.column"]').fill("7");
        await dialog.locator('[name="DFUServerQueue"]').evaluate(select => {
            select.append(new Option("no_such_queue", "no_such_queue"));
            select.value = "no_such_queue";
        });
        await dialog.locator("button.primary").click();
        await dialog.locator(".dialog-errors p").waitFor();
        const text = await dialog.locator(".dialog-errors").textContent();
        check(/FileSpray\.SprayFixed: .*no_such_queue/i.test(text) && !/[<>]/.test(text), `readable refusal: ${text}`);
        await dialog.locator("button", { hasText: "Cancel" }).click();
    });
    await ctx.step("deleting a file that superfiles own: Dali's refusal is shown", async () => {
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent(shared.file)}`);
        await ready(page);
        page.once("dialog", d => d.accept());
        await page.locator("main .toolbar button.danger", { hasText: "Delete" }).click();
        await waitFor(async () => (await errorsShown(page)).length > 0, "an error message");
        const shown = (await errorsShown(page)).join(" | ");
        check(shown.includes(`${shared.file}: The file ${shared.file} can not be deleted because it is owned by one or more superfiles.`),
              `readable: ${shown}`);
        await page.goto(`${ctx.url}/console/#/files/${encodeURIComponent(shared.file)}`);
        await ready(page);
        check((await page.locator("#lf-parts tbody tr").count()) === 4, "the file is still there");
    });
}

async function manage(ctx) {
    const page = ctx.page;
    await ctx.step("Logical Files: sort the scope's files by name, both ways", async () => {
        await openTab(page, "Logical Files");
        await dismissMessages(page);
        await page.locator('#lf-filters [name="LogicalName"]').fill(`${shared.scope}::*`);
        await page.locator("#lf-filters button[type=submit]").click();
        const names = () => page.locator("#lf-files tbody input[data-name]").evaluateAll(els => els.map(e => e.dataset.name));
        const header = () => page.locator("#lf-files th", { hasText: "Name" });
        await header().click();
        await waitFor(async () => (await header().textContent()).includes("▲"), "sorted ascending");
        const up = await names();
        checkEqual(up, [shared.superfile, shared.superkey, shared.file], "ascending by name");
        await header().click();
        await waitFor(async () => (await header().textContent()).includes("▼"), "sorted descending");
        checkEqual(await names(), [...up].reverse(), "descending by name");
    });
    const line = () => row(page, "#pm-list", `roxie::${shared.map}`);
    await ctx.step("Package Maps: deactivate the map", async () => {
        await openTab(page, "Package Maps");
        await line().locator("button", { hasText: "Deactivate" }).click();
        await waitFor(async () => (await line().locator(".tag").textContent()) === "inactive", "inactive");
    });
    await ctx.step("add a second part from a file, then remove it", async () => {
        await line().locator("a[data-map]").click();
        await page.locator("#pm-parts").waitFor();
        await page.locator("#pm-add-part").click();
        const dialog = page.locator("dialog.modal");
        await dialog.locator('input[type="file"]').setInputFiles({ name: "extra.pkg", mimeType: "text/xml",
            buffer: Buffer.from(`<RoxiePackages><Package id="extra_${TAG}"/></RoxiePackages>`) });
        await waitFor(async () => (await dialog.locator("textarea").inputValue()).includes(`extra_${TAG}`), "the file's content loaded");
        await dialog.locator("button.primary").click();
        await dialog.waitFor({ state: "detached" });
        await waitFor(async () => (await page.locator("#pm-parts tbody tr").count()) === 2, "two parts");
        check((await row(page, "#pm-parts", "extra.pkg").textContent()).includes(`extra_${TAG}`), "the new part's package");
        page.once("dialog", d => d.accept());
        await row(page, "#pm-parts", "extra.pkg").locator("button", { hasText: "Remove" }).click();
        await waitFor(async () => (await page.locator("#pm-parts tbody tr").count()) === 1, "one part left");
    });
    await ctx.step("delete the map", async () => {
        page.once("dialog", d => d.accept());
        await line().locator("button", { hasText: "Delete" }).click();
        await waitFor(async () => (await line().count()) === 0, "the map gone");
        await noErrors(page, "DeletePackage");
    });
}

// ------------------------------------------------------------------ main

const FLOWS = { upload, spray, browse, superfile, packagemap, query, dialogs, transfers, errors, manage };
const { url, names } = parseArgs(FLOWS);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30000 });
try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    const scriptErrors = [];
    page.on("pageerror", error => scriptErrors.push(String(error)));
    process.exitCode = await runFlows(FLOWS, names, { url, page }, {
        before: () => { scriptErrors.length = 0; },
        failed: async () => ({ pageUrl: page.url(), scriptErrors: [...scriptErrors],
                               pageText: ((await page.locator("main").innerHTML().catch(() => "")) ?? "").slice(0, 3000) }),
    });
    if (scriptErrors.length) {
        console.error(`script errors on the console's pages:\n${scriptErrors.join("\n")}`);
    }
} finally {
    await browser.close();
}
