import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { ServiceChainKIP17, ServiceChainKIP7 } from "../../types/ethers-contracts/index.js";

/**
 * What the service-chain token suites share: a token linked to one test bridge, a second bridge to move to, and
 * value minted to `user` by `mint`.
 */
export async function linkedToken<T extends ServiceChainKIP7 | ServiceChainKIP17>(
  ethers: HardhatEthers,
  deploy: (bridge: string) => Promise<T>,
  mint: (token: T, user: HardhatEthersSigner) => Promise<unknown>,
) {
  const [owner, user, stranger] = await ethers.getSigners();
  const bridge = await ethers.deployContract("TestBridgeReceiver");
  const otherBridge = await ethers.deployContract("TestBridgeReceiver");
  const token = await deploy(await bridge.getAddress());
  await mint(token, user);
  return { owner, user, stranger, bridge, otherBridge, token };
}

/** Only the owner may move a service-chain token to another bridge, only to a contract; the move is announced. */
export async function expectSetBridgeGuarded({
  user,
  stranger,
  bridge,
  otherBridge,
  token,
}: Awaited<ReturnType<typeof linkedToken>>): Promise<void> {
  await expect(token.connect(stranger).setBridge(otherBridge))
    .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
    .withArgs(stranger.address);
  await expect(token.setBridge(user)).to.be.revertedWithCustomError(token, "BridgeNotContract").withArgs(user.address);
  await expect(token.setBridge(otherBridge))
    .to.emit(token, "BridgeChanged")
    .withArgs(await bridge.getAddress(), await otherBridge.getAddress());
}
