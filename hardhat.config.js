// Hardhat 2 compiles with the npm `solc` package (solcjs/wasm) so that a fresh
// clone compiles offline: Hardhat's own compiler download is not reachable here.
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
const path = require("path");

const SOLC_VERSION = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    throw new Error(`hardhat.config.js pins solc ${SOLC_VERSION}, asked for ${args.solcVersion}`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: SOLC_VERSION,
  };
});

module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      // paris: no PUSH0, MCOPY or transient storage. geth 1.13 Clique (the multi-validator engine)
      // refuses Shanghai and Cancun headers, so every node in tests runs this fork too.
      evmVersion: "paris",
    },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "merge", // = paris, the fork the contracts are compiled for (chain/node.py pins anvil alike)
      // Large catalog documents travel in calldata; keep headroom for batches.
      blockGasLimit: 60_000_000,
      allowUnlimitedContractSize: false,
      // Tests pin the chain's clock (`LocalNode(start_time=...)`) so deadlines fall in published years.
      ...(process.env.LEDGER_CHAIN_START ? { initialDate: process.env.LEDGER_CHAIN_START } : {}),
    },
  },
  paths: {
    sources: "./contracts",
    artifacts: "./build/artifacts",
    cache: "./build/cache",
  },
};
