#!/usr/bin/env node
// Compose the subgraph SDLs exported by `python -m services.gateway.sdl` into the
// supergraph that Hive Gateway serves.
//
//   node compose.mjs                 # subgraphs/*.graphql -> supergraph.graphql
//   node compose.mjs --check         # compose in memory; exit 1 if supergraph.graphql is stale
//   node compose.mjs --subgraphs DIR --out FILE [--check]
//
// Inputs: DIR/subgraphs.json ({"name": "url"}) and DIR/<name>.graphql for every name in it.
// Output is deterministic (services sorted by name; composition itself is stable).
// Exit codes: 0 ok, 1 composition failed or --check found a difference, 2 bad usage/inputs.
import { readFileSync, readdirSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@theguild/federation-composition';

const HERE = dirname(fileURLToPath(import.meta.url));

function usage(message) {
  if (message) console.error(`compose: ${message}`);
  console.error('usage: node compose.mjs [--subgraphs DIR] [--out FILE] [--check]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { subgraphs: join(HERE, 'subgraphs'), out: join(HERE, 'supergraph.graphql'), check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') opts.check = true;
    else if (arg === '--subgraphs' || arg === '--out') {
      const value = argv[++i];
      if (!value) usage(`${arg} needs a value`);
      opts[arg.slice(2)] = resolve(value);
    } else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  return opts;
}

function loadServices(dir) {
  const manifestPath = join(dir, 'subgraphs.json');
  if (!existsSync(manifestPath)) {
    usage(`${manifestPath} not found; run \`python -m services.gateway.sdl\` first`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const onDisk = readdirSync(dir).filter((f) => f.endsWith('.graphql')).map((f) => f.slice(0, -'.graphql'.length));
  const unlisted = onDisk.filter((name) => !(name in manifest));
  if (unlisted.length) usage(`${dir} has SDL for subgraphs missing from subgraphs.json: ${unlisted.join(', ')}`);
  const names = Object.keys(manifest).sort();
  if (!names.length) usage(`${manifestPath} lists no subgraphs`);
  return names.map((name) => {
    const sdlPath = join(dir, `${name}.graphql`);
    if (!existsSync(sdlPath)) usage(`subgraph ${name}: ${sdlPath} not found`);
    const url = manifest[name];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) usage(`subgraph ${name}: bad url ${JSON.stringify(url)}`);
    let typeDefs;
    try {
      typeDefs = parse(readFileSync(sdlPath, 'utf8'), { noLocation: false });
    } catch (err) {
      console.error(`compose: subgraph ${name}: ${sdlPath} does not parse: ${err.message}`);
      process.exit(1);
    }
    return { name, url, typeDefs };
  });
}

export function compose(services) {
  const result = composeServices(services);
  if (result.errors && result.errors.length) {
    const lines = result.errors.map((err) => {
      const code = err.extensions?.code ? `[${err.extensions.code}] ` : '';
      return `  - ${code}${err.message}`;
    });
    if (result.errors.some((err) => err.extensions?.code === 'UNKNOWN_FEDERATION_LINK_VERSION')) {
      lines.push('  hint: build every subgraph with strawberry.federation.Schema(..., federation_version="2.9");');
      lines.push("        Strawberry's default (2.11) is newer than this composition library accepts.");
    }
    const error = new Error(`composition failed with ${result.errors.length} error(s):\n${lines.join('\n')}`);
    error.compositionErrors = result.errors;
    throw error;
  }
  return result.supergraphSdl.trimEnd() + '\n';
}

function firstDifference(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `first difference at line ${i + 1}:\n  committed: ${JSON.stringify(a[i] ?? '<end of file>')}\n  composed:  ${JSON.stringify(b[i] ?? '<end of file>')}`;
    }
  }
  return 'files differ';
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const services = loadServices(opts.subgraphs);
  let supergraph;
  try {
    supergraph = compose(services);
  } catch (err) {
    console.error(`compose: ${err.message}`);
    process.exit(1);
  }
  const rel = relative(process.cwd(), opts.out);
  const shown = rel && !rel.startsWith('..') ? rel : opts.out;
  if (opts.check) {
    const committed = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : null;
    if (committed === supergraph) {
      console.error(`compose: ${shown} is up to date (${services.map((s) => s.name).join(', ')})`);
      return;
    }
    console.error(
      committed === null
        ? `compose: ${shown} does not exist.`
        : `compose: ${shown} is stale: it differs from a fresh composition of the subgraphs.\n${firstDifference(committed, supergraph)}`,
    );
    console.error('Regenerate and commit it: python -m services.gateway.sdl && node services/gateway/compose.mjs');
    process.exit(1);
  }
  const tmp = `${opts.out}.tmp-${process.pid}`;
  writeFileSync(tmp, supergraph);
  renameSync(tmp, opts.out);
  console.error(`compose: wrote ${shown} (${services.map((s) => s.name).join(', ')})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
