import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

const SUPPLY = 10_000n;

async function deployHostileTokens() {
  const [owner, other] = await ethers.getSigners();
  return {
    owner,
    other,
    noReturn: await ethers.deployContract("NoReturnToken", ["No Return", "NRT", SUPPLY]),
    falseReturn: await ethers.deployContract("FalseReturnToken", ["False Return", "FRT", SUPPLY]),
    feeOnTransfer: await ethers.deployContract("FeeOnTransferToken", ["Fee On Transfer", "FOT", SUPPLY]),
    reverting: await ethers.deployContract("RevertingToken", ["Reverting", "RVT", SUPPLY]),
    rejecter: await ethers.deployContract("KLAYRejecter"),
  };
}

describe("hostile test tokens", function () {
  it("NoReturnToken moves tokens but its transfer and transferFrom return no data", async function () {
    const { owner, other, noReturn } = await networkHelpers.loadFixture(deployHostileTokens);
    const transferData = noReturn.interface.encodeFunctionData("transfer", [other.address, 5n]);
    expect(await ethers.provider.call({ to: noReturn, data: transferData, from: owner.address })).to.equal("0x");
    await noReturn.transfer(other, 5n);
    expect(await noReturn.balanceOf(other)).to.equal(5n);
    await noReturn.connect(other).approve(owner, 5n);
    await noReturn.transferFrom(other, owner, 5n);
    expect(await noReturn.balanceOf(other)).to.equal(0n);
    await expect(noReturn.connect(other).transfer(owner, 1n))
      .to.be.revertedWithCustomError(noReturn, "InsufficientBalance")
      .withArgs(other.address, 0n, 1n);
  });

  it("FalseReturnToken returns false and moves nothing instead of reverting", async function () {
    const { owner, other, falseReturn } = await networkHelpers.loadFixture(deployHostileTokens);
    expect(await falseReturn.connect(other).transfer.staticCall(owner, 1n)).to.equal(false);
    expect(await falseReturn.transferFrom.staticCall(other, owner, 1n)).to.equal(false);
    expect(await falseReturn.transfer.staticCall(other, 1n)).to.equal(true);
    await expect(falseReturn.connect(other).setFailing(true))
      .to.be.revertedWithCustomError(falseReturn, "FalseReturnTokenUnauthorized")
      .withArgs(other.address);
    await falseReturn.setFailing(true);
    expect(await falseReturn.transfer.staticCall(other, 1n)).to.equal(false);
    await falseReturn.transfer(other, 1n);
    expect(await falseReturn.balanceOf(other)).to.equal(0n);
  });

  it("FeeOnTransferToken burns 1% of every transfer", async function () {
    const { owner, other, feeOnTransfer } = await networkHelpers.loadFixture(deployHostileTokens);
    await expect(feeOnTransfer.transfer(other, 1_000n)).to.changeTokenBalances(
      ethers,
      feeOnTransfer,
      [owner, other],
      [-1_000n, 990n],
    );
    expect(await feeOnTransfer.totalSupply()).to.equal(SUPPLY - 10n);
  });

  it("RevertingToken reverts every balance change once its owner switches it on", async function () {
    const { owner, other, reverting } = await networkHelpers.loadFixture(deployHostileTokens);
    await expect(reverting.connect(other).setReverting(true)).to.be.revertedWithCustomError(
      reverting,
      "OwnableUnauthorizedAccount",
    );
    await reverting.setReverting(true);
    await expect(reverting.transfer(other, 1n)).to.be.revertedWithCustomError(reverting, "TransfersDisabled");
    await reverting.setReverting(false);
    await expect(reverting.transfer(other, 1n)).to.changeTokenBalances(ethers, reverting, [owner, other], [-1n, 1n]);
  });

  it("KLAYRejecter refuses KLAY but can call and pay other contracts", async function () {
    const { owner, other, rejecter, feeOnTransfer } = await networkHelpers.loadFixture(deployHostileTokens);
    await expect(owner.sendTransaction({ to: rejecter, value: 1n })).to.be.revertedWithCustomError(
      rejecter,
      "KLAYRejected",
    );
    await feeOnTransfer.transfer(rejecter, 100n);
    const transfer = feeOnTransfer.interface.encodeFunctionData("transfer", [other.address, 99n]);
    await expect(rejecter.execute(feeOnTransfer, transfer)).to.changeTokenBalance(ethers, feeOnTransfer, rejecter, -99n);
  });
});
