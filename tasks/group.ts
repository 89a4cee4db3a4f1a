import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BridgeTaskError } from "../src/errors.js";
import { closest } from "../src/suggest.js";
import { EXAMPLE_SEPARATOR } from "./index.js";
import { print, runTask } from "./run.js";

/** Every task below `id` that does something (not a group), with its description, in name order. */
function listTasks(hre: HardhatRuntimeEnvironment, id: string[]): { id: string; description: string }[] {
  const found: { id: string; description: string }[] = [];
  const walk = (path: string[]) => {
    const task = hre.tasks.getTask(path);
    for (const [name, subtask] of [...task.subtasks.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (subtask.subtasks.size > 0) walk([...path, name]);
      else found.push({ id: [...path, name].join(" "), description: subtask.description.split(EXAMPLE_SEPARATOR)[0] });
    }
  };
  walk(id);
  return found;
}

export type GroupAction = (args: { words: string[] }, hre: HardhatRuntimeEnvironment) => ReturnType<typeof runGroup>;

/**
 * A group of tasks (`bridge`, `bridge token`, `bridge operator`) run by itself: its tasks, one line each; followed by
 * words that name no task: the closest task, in one error line.
 */
export async function runGroup(group: string[], args: { words: string[] }, hre: HardhatRuntimeEnvironment) {
  return runTask(group.join(" "), hre, () => {
    const tasks = listTasks(hre, group);
    if (args.words.length === 0) {
      const width = Math.max(...tasks.map((task) => task.id.length));
      print(`servicechain-bridge tasks (npx hardhat bridge TASK --help for a task's options and an example):`);
      for (const task of tasks) print(`  npx hardhat ${task.id.padEnd(width)}  ${task.description}`);
      return;
    }
    const typed = [...group, ...args.words].join(" ");
    // compared without the common "bridge " prefix, which would make any word look close
    const names = listTasks(hre, ["bridge"]).map((task) => task.id.slice("bridge ".length));
    const guessed = closest(typed.slice("bridge ".length), names);
    const guess = guessed === undefined ? undefined : `bridge ${guessed}`;
    const hint = guess === undefined ? "run `npx hardhat bridge` for the list" : `did you mean \`npx hardhat ${guess}\`?`;
    throw new BridgeTaskError(`unknown task "${typed}": ${hint}`);
  });
}
