// The TypeScript linter (`npm run lint:ts`): typescript-eslint's recommended rules with type information.
//
// TypeScript is pinned to 6.0, not 7: TypeScript 7 is the native (Go) compiler, and its npm package exposes no
// JavaScript compiler API (`require("typescript")` gives only the version), which typescript-eslint needs to parse
// and type-check (its peer range is typescript < 6.1). 6.0 is the last JavaScript release, with 7.0's defaults and
// deprecations; Hardhat itself is built with it. Nothing here needs 7: Hardhat runs .ts through its own loader,
// typechain only reads the version, and `tsc` in `npm run build:lib` compiles the same with 6.0.
import js from "@eslint/js";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "artifacts/", "cache/", "types/", "dist/", "coverage/", "bench/", "deployments/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // A disable comment says why, after `--` on its line.
      "@eslint-community/eslint-comments/require-description": ["error", { ignore: ["eslint-enable"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
          message: "`as unknown as` hides a type error: check the value, or explain the cast in a disable comment.",
        },
      ],
    },
  },
  {
    // The status page's script runs in the browser.
    files: ["src/ops/ui/page/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    // The plain JavaScript scripts and examples: the JavaScript rules, without type information.
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
