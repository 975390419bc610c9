// The console: one page, hash routes (#/catalog, #/audit, …), so it is served as static files and
// every link works without a server route per page.
import { h, render } from "./lib/dom.js";
import { get } from "./lib/api.js";
import { catalogEntry, catalogList } from "./pages/catalog.js";
import { auditPage } from "./pages/audit.js";
import { workspacePage } from "./pages/workspace.js";
import { dataCenterPage } from "./pages/datacenter.js";
import { officePage } from "./pages/office.js";
import { inspectionPage } from "./pages/inspection.js";

const main = document.getElementById("main");

function placeholder(title, text) {
  render(main, h("h1", {}, title), h("p", {}, text));
}

async function route() {
  const [path, qs] = (location.hash.slice(1) || "/catalog").split("?");
  const query = new URLSearchParams(qs ?? "");
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll(".top nav a")) {
    const current = link.getAttribute("href") === `#/${parts[0]}`;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  switch (parts[0]) {
    case "catalog":
      return parts[1] ? catalogEntry(main, parts[1]) : catalogList(main, query);
    case "audit": {
      let config = {};
      let deployment = null;
      try {
        [config, deployment] = await Promise.all([get("config.json"), get("/v1/deployment")]);
      } catch {
        // the page still works with an RPC URL and a deployment file typed in
      }
      return auditPage(main, { rpcUrl: config.rpc_url ?? "", deployment, served: true });
    }
    case "workspace":
      return workspacePage(main);
    case "datacenter":
      return dataCenterPage(main);
    case "office":
      return officePage(main);
    case "inspection":
      return inspectionPage(main);
    default:
      return placeholder("页面不存在", `没有 ${path} 这个页面。`);
  }
}

window.addEventListener("hashchange", route);
route();
