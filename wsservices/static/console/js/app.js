// The console's router: #/landingzones, #/files, #/files/<name>, #/workunits, #/workunits/<wuid>,
// #/packagemaps, #/queries. Each page renders into <main>; a page that polls returns a stop
// function, called when the page is left.
import { fill, guard, h } from "./ui.js";
import * as landingZones from "./landingzones.js";
import * as files from "./files.js";
import * as fileDetail from "./filedetail.js";
import * as workunits from "./workunits.js";
import * as packageMaps from "./packagemaps.js";
import * as queries from "./queries.js";

const PAGES = {
    landingzones: (main) => landingZones.render(main),
    files: (main, rest) => rest ? fileDetail.render(main, rest) : files.render(main),
    workunits: (main, rest) => rest ? workunits.renderOne(main, rest) : workunits.render(main),
    packagemaps: (main) => packageMaps.render(main),
    queries: (main) => queries.render(main),
};
let stop = null;
let generation = 0;

async function route() {
    const [, page = "landingzones", ...rest] = location.hash.replace(/^#/, "").split("/");
    const name = PAGES[page] ? page : "landingzones";
    const arg = rest.length ? decodeURIComponent(rest.join("/")) : "";
    stop?.();
    stop = null;
    const mine = ++generation;
    for (const a of document.querySelectorAll("nav a")) {
        a.classList.toggle("current", a.dataset.page === name);
    }
    const main = document.querySelector("main");
    fill(main, h("p", { class: "loading" }, "Loading…"));
    main.dataset.page = name;
    main.removeAttribute("data-ready");
    const result = await guard(() => PAGES[name](main, arg));
    if (mine !== generation) {
        result?.();              // the user moved on while this page loaded
        return;
    }
    if (typeof result === "function") {
        stop = result;
    }
    if (main.querySelector(".loading") && main.children.length === 1) {
        fill(main, h("p", {}, "This page could not be shown; see the message above."));
    }
    main.dataset.route = location.hash;   // which address this ready page answers (tests wait on it)
    main.dataset.ready = "1";
}

window.addEventListener("hashchange", route);
route();
