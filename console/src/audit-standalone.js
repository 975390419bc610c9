// audit.html: the Audit page alone, for an auditor who saved it and opens it as a local file.
import { auditPage } from "./pages/audit.js";

auditPage(document.getElementById("main"), { rpcUrl: "http://127.0.0.1:8545" });
