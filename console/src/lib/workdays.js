// Working days left to a deadline, counted on the Office's calendar as published on-chain
// (WorkCalendar.workingDaysBitmap, read by JSON-RPC from the node the platform names in
// config.json): the same days the contracts count deadlines in (docs/WORKDAYS.md: a deadline is
// the end of its N-th working day, Asia/Shanghai). Where the node cannot be reached from the
// browser, or a year is not published, the count is left out and says why.
import { get } from "./api.js";
import { INTERFACES, Rpc, RpcError } from "./rpc.js";

const SHANGHAI_S = 8 * 3600;
const RPC_WAIT_MS = 3000; // a node the browser cannot reach must not hold up the page
const DAY_S = 86400;
let reader = null;

/** The Shanghai calendar day of a unix time: [year, day of year from 0, day number]. */
function shanghaiDay(seconds) {
  const day = Math.floor((Number(seconds) + SHANGHAI_S) / DAY_S);
  const date = new Date(day * DAY_S * 1000);
  const year = date.getUTCFullYear();
  return [year, day - Math.floor(Date.UTC(year, 0, 1) / 1000 / DAY_S), day];
}

function within(promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`链节点 ${RPC_WAIT_MS / 1000} 秒内无应答`)), RPC_WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function calendar() {
  reader ??= (async () => {
    const [config, deployment] = await Promise.all([get("config.json"), get("/v1/deployment")]);
    const address = deployment.contracts.find((c) => c.name === "WorkCalendar")?.address;
    if (!config.rpc_url || !address) throw new Error("平台未给出链节点或工作日历合约");
    const rpc = new Rpc(config.rpc_url);
    const iface = INTERFACES.WorkCalendar;
    const years = new Map();
    return (year) => {
      if (!years.has(year)) {
        const data = iface.encodeFunctionData("workingDaysBitmap", [year]);
        years.set(
          year,
          within(rpc.call("eth_call", [{ to: address, data }, "latest"])).then(
            (answer) => iface.decodeFunctionResult("workingDaysBitmap", answer)[0],
            (error) => {
              if (error instanceof RpcError && !error.unreachable) return null; // not published: the view reverts
              throw error;
            },
          ),
        );
      }
      return years.get(year);
    };
  })();
  return reader;
}

/**
 * The working days after the day of `now` up to the day of `due` (unix seconds), the due day
 * counted: what is left beside the rest of today. {days} or {error} when the calendar cannot be read.
 */
export async function workingDaysLeft(due, now) {
  try {
    const bitmap = await calendar();
    const [, , today] = shanghaiDay(now);
    const [, , last] = shanghaiDay(due);
    let days = 0;
    for (let day = today + 1; day <= last; day += 1) {
      const [year, index] = shanghaiDay(day * DAY_S);
      const words = await bitmap(year);
      if (!words) return { error: `${year} 年工作日历未公布` };
      if (((words[index >> 8] >> BigInt(index & 255)) & 1n) === 1n) days += 1;
    }
    return { days };
  } catch (error) {
    return { error: `无法读取链上工作日历（${error.message}）` };
  }
}

/** "今日截止", "剩余 3 个工作日", or null (overdue, or the calendar not readable). */
export async function workingDaysText(due, now) {
  if (!due || due < now) return null;
  const left = await workingDaysLeft(due, now);
  if (left.error) return null;
  return left.days === 0 ? "今日截止" : `剩余 ${left.days} 个工作日`;
}
