// The Data Center's idle-grant review (Art. 26): the reasons demand units filed for leaving a
// grant unused, accepted or refused with the Data Center's own reason (signed in the browser as
// `ledger sharing step review_idle_reason` signs it); grants unused for 3 months with no reason
// on file, suspended and their units notified; idle suspensions with no objection in 30 days,
// ended. The last two apply only the passage of time: the contract takes them unsigned from
// anyone once the time has come (SharingNotSignedStep), so the platform's account sends them.
// And a scenario withdrawn from the register (Art. 19), signed in the browser.
import { h, field, table, when, shortId, showError, statusBox } from "../lib/dom.js";
import { get } from "../lib/api.js";
import { redrawSoon, session, stillOpen } from "../lib/officer.js";
import { fileIdleReason, reviewIdleReason, timeStep, withdrawScenario } from "../lib/sharing.js";
import { explain } from "../lib/explain.js";


/** Every unit's grants that Art. 26 asks the Data Center about now, with what it may do. */
export async function idleGrants(redraw) {
  const key = session.key;
  const [units, clock] = await Promise.all([get("/v1/units"), get("/v1/duties", { limit: 1 })]);
  const now = clock.now;
  stillOpen(key);
  const pages = await Promise.all(units.map((u) => get(`/v1/units/${u.unit_id}/grants`, { limit: 100 })));
  const names = Object.fromEntries(units.map((u) => [u.unit_id, u.name]));
  const grants = pages.flatMap((p) => p.items);
  const reasons = grants.filter((g) => g.status === "active" && g.reason_until > 0);
  const idle = grants.filter((g) => g.status === "active" && g.idle_from > 0 && g.idle_from <= now);
  const lapsing = grants.filter((g) => g.status === "suspended" && g.suspension === "idle");
  const dc = session.unit?.kind === "data_center";
  stillOpen(key);
  // The reason itself is the demand unit's signed step (FileIdleReason) in the grant's history.
  const filed = new Map(await Promise.all(reasons.map(async (g) => {
    const steps = (await get(`/v1/grants/${g.grant_id}/history`)).steps.filter((s) => s.kind === "file_idle_reason");
    return [g.grant_id, steps[steps.length - 1]?.document ?? null];
  })));
  const holder = ["需求单位", (g) => names[g.unit_id] ?? g.unit_id];
  const grantCell = ["授权", (g) => h("span", { "data-idle-grant": g.grant_id }, shortId(g.grant_id))];
  const out = [h("p", { className: "muted" }, `按链上时间 ${when(now)} 判断。`)];
  out.push(h("h3", {}, "待审核的闲置理由（五个工作日内）"));
  out.push(reasons.length
    ? table([grantCell, holder, ["应用场景", (g) => g.scenario_code],
        ["理由", (g) => (filed.get(g.grant_id) ? `${filed.get(g.grant_id).reason}（至 ${filed.get(g.grant_id).until}）` : `至 ${when(g.reason_until)}`)],
        ["审核期限", (g) => h("span", { className: g.reason_due_at < now ? "bad" : "" }, when(g.reason_due_at))],
        ["审核", (g) => (dc ? reasonReview(g, redraw) : "—")]], reasons)
    : h("p", { className: "ok" }, "没有待审核的闲置理由。"));
  out.push(h("h3", {}, "3 个月未调用且无理由在案：暂停并通知需求单位"));
  out.push(idle.length
    ? table([grantCell, holder, ["应用场景", (g) => g.scenario_code],
        ["最近调用", (g) => (g.last_used_at ? when(g.last_used_at) : `从未调用（授权于 ${when(g.issued_at)}）`)],
        ["闲置起算", (g) => h("span", { className: "warn" }, `${when(g.idle_from)} 起可暂停`)],
        ["办理", (g) => (dc ? timeCell(g, "suspend_idle", redraw) : "—")]], idle)
    : h("p", { className: "ok" }, "没有闲置满 3 个月的授权。"));
  out.push(h("h3", {}, "因闲置暂停：异议期（30 日）满后终止"));
  out.push(lapsing.length
    ? table([grantCell, holder, ["应用场景", (g) => g.scenario_code], ["暂停时间", (g) => when(g.suspended_at)],
        ["异议期", (g) => (g.objection_pending ? h("span", { className: "warn" }, "需求单位已提出异议，待答复（见下方“暂停与异议”）") : `至 ${when(g.objection_due_at)}`)],
        ["办理", (g) => (!dc || g.objection_pending ? "—" : g.objection_due_at >= now ? h("span", { className: "muted" }, "异议期未满") : timeCell(g, "finalise_lapse", redraw))]], lapsing)
    : h("p", { className: "ok" }, "没有因闲置暂停的授权。"));
  return out;
}

function reasonReview(g, redraw) {
  const id = g.grant_id.slice(0, 12);
  const reason = h("input", { type: "text", name: "review_reason" });
  const out = statusBox();
  const send = (accept) => async () => {
    if (!reason.value.trim()) return showError(out, "审核意见：请写明接受或不接受的理由");
    try {
      const { status: s } = await reviewIdleReason(g.grant_id, accept, reason.value.trim(), (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-reason-reviewed": s.tx_hash }, `${accept ? "已接受" : "未接受"}理由，已上链确认`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能审核：${explain(e)}`);
    }
  };
  return h("div", {}, field(`审核意见（${id}）`, reason),
    h("button", { type: "button", "aria-label": `签名并接受理由 ${id}`, onclick: send(true) }, "接受理由"), " ",
    h("button", { type: "button", className: "secondary", "aria-label": `签名并不接受理由 ${id}`, onclick: send(false) }, "不接受"),
    out);
}

const TIME_STEP = {
  suspend_idle: { button: "暂停并通知", done: "已暂停，已通知需求单位（30 日内可提出异议）", state: (g) => g.status === "suspended" },
  finalise_lapse: { button: "终止授权", done: "已终止：需求单位再次使用须重新申请", state: (g) => g.status === "terminated" },
};

/** A time step (unsigned), then the mirror's answer awaited before the redraw. */
function timeCell(g, kind, redraw) {
  const id = g.grant_id.slice(0, 12);
  const step = TIME_STEP[kind];
  const out = statusBox();
  const send = async () => {
    out.replaceChildren("正在发送……");
    try {
      const mined = await timeStep(kind, g.grant_id);
      out.replaceChildren("已上链，等待平台同步……");
      for (let i = 0; i < 240 && !step.state(await get(`/v1/grants/${g.grant_id}`)); i += 1) await new Promise((r) => setTimeout(r, 250));
      out.replaceChildren(h("span", { className: "ok", [`data-${kind.replace("_", "-")}`]: mined.tx_hash }, `${step.done}（区块 ${mined.block_number}）`));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能办理：${explain(e)}`);
    }
  };
  return h("div", {}, h("button", { type: "button", "aria-label": `${step.button} ${id}`, onclick: send }, step.button), out);
}

/** The Data Center withdraws a registered scenario (Art. 19), with the reason, signed here. */
export function withdrawCell(s, redraw) {
  const reason = h("input", { type: "text", name: "withdraw_reason" });
  const out = statusBox();
  const send = async () => {
    if (!reason.value.trim()) return showError(out, "撤销理由：请填写");
    try {
      const { status: t } = await withdrawScenario(s.code, reason.value.trim(), (x) => out.replaceChildren(x));
      out.replaceChildren(h("span", { className: "ok", "data-withdrawn": t.tx_hash }, "已撤销，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能撤销：${explain(e)}`);
    }
  };
  return h("details", {}, h("summary", {}, `撤销 ${s.code}`),
    h("p", { className: "muted" }, "撤销为终局：此后不能再按此场景申请、确认或使用数据。"),
    field(`撤销理由（${s.code}）`, reason),
    h("button", { type: "button", className: "secondary", "aria-label": `签名并撤销场景 ${s.code}`, onclick: send }, "签名并撤销"),
    out);
}

const shanghaiDate = (seconds) => new Date((Number(seconds) + 8 * 3600) * 1000).toISOString().slice(0, 10);

/** In the demand unit's grants: where the idle clock stands, and a reason filed for leaving the
 *  grant unused until a day (Art. 26: 未提供依据和理由的 is what gets suspended), signed here. */
export function idleReasonCell(g, now, redraw) {
  if (g.status !== "active") return "—";
  if (g.reason_until > 0) return h("span", { className: "warn", "data-idle-reason": "pending" }, `理由待大数据中心审核（审核期限 ${when(g.reason_due_at)}）`);
  const excused = g.excused_until > now ? h("p", { className: "ok" }, `理由已获接受，至 ${when(g.excused_until)} 不因闲置暂停`) : null;
  const clock = g.idle_from ? h("p", { className: g.idle_from <= now ? "bad" : "muted" }, g.idle_from <= now ? "已闲置满 3 个月，可被暂停" : `至 ${when(g.idle_from)} 仍未调用将被暂停`) : null;
  const id = g.grant_id.slice(0, 12);
  const reason = h("input", { type: "text", name: "idle_reason" });
  const until = h("input", { type: "date", name: "until", value: shanghaiDate(now + 30 * 86400), min: shanghaiDate(now + 86400), max: shanghaiDate(now + 365 * 86400) });
  const out = statusBox();
  const send = async () => {
    if (!reason.value.trim()) return showError(out, "暂不调用的理由：请写明依据和理由（第二十六条）");
    if (!until.value) return showError(out, "理由期限：请选择至哪一天");
    try {
      const { status: s } = await fileIdleReason(g.grant_id, reason.value.trim(), until.value, (t) => out.replaceChildren(t));
      out.replaceChildren(h("span", { className: "ok", "data-idle-reason-filed": s.tx_hash }, "已报送，待大数据中心审核，已上链确认"));
      redrawSoon(redraw);
    } catch (e) {
      showError(out, `未能报送：${explain(e)}`);
    }
  };
  return h("div", {}, excused, clock,
    h("details", {}, h("summary", {}, "报送暂不调用的理由"),
      field(`暂不调用的理由（${id}）`, reason), field(`理由期限（${id}）`, until),
      h("button", { type: "button", className: "secondary", "aria-label": `签名并报送理由 ${id}`, onclick: send }, "签名并报送"),
      out));
}
