// servicechain-bridge without Hardhat: plain ethers providers and a signer on two running nodes. Deploys a pair,
// requests a KLAY transfer from the parent and reads the pair's status. Run: node plain-ethers.mjs
import { JsonRpcProvider, Wallet } from "ethers";
import { bindPair, collectStatus, deployPair, requestTransfer } from "servicechain-bridge";

const PARENT_URL = process.env.PARENT_URL ?? "http://127.0.0.1:8545";
const CHILD_URL = process.env.CHILD_URL ?? "http://127.0.0.1:8546";
// the first account of `npx hardhat node`; use your own key on a real chain
const KEY = process.env.PRIVATE_KEY ?? "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** One side of the pair as the library takes it: a provider, a signer, the chain id and the confirmations to wait. */
async function connect(side, url) {
  // no request cache: each transaction reads the account's fresh nonce
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  const chainId = Number((await provider.getNetwork()).chainId);
  return { side, network: side, chainId, provider, signer: new Wallet(KEY, provider), confirmations: 1 };
}

const sides = { parent: await connect("parent", PARENT_URL), child: await connect("child", CHILD_URL) };
try {
  const deployment = await deployPair(sides, { name: "plain", dir: process.env.DEPLOYMENTS_DIR ?? "deployments" }, console.log);
  const pair = bindPair(deployment, sides);
  const request = await requestTransfer(pair, { from: "parent", asset: "klay", amount: "1.5" }, console.log);
  const status = await collectStatus(pair);
  console.log(`request ${request.requestNonce} is pending: ${status.parentToChild.pending.some((t) => t.requestNonce === request.requestNonce)}`);
} finally {
  for (const { provider } of Object.values(sides)) provider.destroy();
}
