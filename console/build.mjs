// Builds the web console into console/dist (ignored by git; scripts/setup runs this).
//
// esbuild bundles each page's JavaScript with its npm libraries into one classic script (IIFE):
// a classic script also runs from a file:// page, which ES modules do not (the Audit page must
// work saved as a local file). The ABIs of the events the Audit page replays are read from
// Hardhat's artifacts at build time, never pasted into the sources. audit.html is also written
// as one self-contained file (script and styles inline) for an auditor to save and open offline.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "dist");
mkdirSync(out, { recursive: true });

function artifactAbi(name) {
  const path = join(root, "build/artifacts/contracts", `${name}.sol`, `${name}.json`);
  return JSON.parse(readFileSync(path, "utf8")).abi;
}
// Events, the functions whose calldata carries signed actions (what the Audit page decodes) and the
// custom errors a refused transaction names (the Office page sends its own).
const abis = {};
for (const name of ["Catalog", "UnitRegistry", "Sharing", "UsageLog", "WorkCalendar"]) {
  abis[name] = artifactAbi(name).filter((f) => ["event", "function", "error"].includes(f.type));
}

const common = {
  bundle: true,
  format: "iife",
  target: ["chrome110"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  define: { __ABIS__: JSON.stringify(abis) },
  logLevel: "warning",
};
await build({ ...common, entryPoints: [join(here, "src/main.js")], outfile: join(out, "console.js") });
await build({ ...common, entryPoints: [join(here, "src/audit-standalone.js")], outfile: join(out, "audit.js") });

copyFileSync(join(here, "src/index.html"), join(out, "index.html"));
copyFileSync(join(here, "src/style.css"), join(out, "style.css"));

// audit.html: one file, no request to anything but the chain RPC URL the auditor types in.
const css = readFileSync(join(here, "src/style.css"), "utf8");
const js = readFileSync(join(out, "audit.js"), "utf8").replaceAll("</script", "<\\/script");
const page = readFileSync(join(here, "src/audit.html"), "utf8")
  .replace("/*STYLE*/", () => css)
  .replace("/*SCRIPT*/", () => js);
writeFileSync(join(out, "audit.html"), page);
console.log(`console: built ${out}`);
