// The public API schema of the committed supergraph (join__ and link__ machinery removed,
// @inaccessible parts dropped), written to schema.graphql for the typed operations.
// The console is built against what the gateway serves, not against any one subgraph.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, lexicographicSortSchema, buildASTSchema, printSchema } from "graphql";
import { transformSupergraphToPublicSchema } from "@theguild/federation-composition";

const here = dirname(fileURLToPath(import.meta.url));
const supergraph = join(here, "..", "..", "gateway", "supergraph.graphql");
const out = join(here, "..", "schema.graphql");

const publicAst = transformSupergraphToPublicSchema(parse(readFileSync(supergraph, "utf8")));
const schema = lexicographicSortSchema(buildASTSchema(publicAst, { assumeValidSDL: true }));
writeFileSync(out, "# Generated from services/gateway/supergraph.graphql by scripts/public-schema.mjs\n" + printSchema(schema) + "\n");
console.error(`schema: public API schema written to ${out}`);
