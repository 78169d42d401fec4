// Typed operations: every `graphql(...)` document in src/ is validated against the public schema
// of the committed supergraph (scripts/public-schema.mjs); an operation that no longer matches
// fails codegen, so it fails the build and `make test`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  errorsOnly: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        onlyOperationTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: "string", Date: "string", Decimal: "string" },
      },
    },
  },
};

export default config;
