// The owner-only check of the tests (no tests in this file).
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { BaseContract } from "ethers";

/** Each of `calls`, sent by `caller` to `contract`, is refused with OpenZeppelin's `OwnableUnauthorizedAccount(caller)`. */
export async function expectOwnerOnly<T extends BaseContract>(
  contract: T,
  caller: HardhatEthersSigner,
  calls: ((asCaller: T) => Promise<unknown>)[],
): Promise<void> {
  const asCaller = contract.connect(caller) as T;
  for (const call of calls) {
    await expect(call(asCaller)).to.be.revertedWithCustomError(contract, "OwnableUnauthorizedAccount").withArgs(caller.address);
  }
}
