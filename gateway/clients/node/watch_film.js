#!/usr/bin/env node
// Creates a film over gRPC with FilmService.CreateFilm and follows FilmService.WatchFilm to the end,
// printing one JSON line per event. A non-Python client built only from our protos.
//
//   node watch_film.js ADDR SCRIPT_FILE TOKEN [--seconds N] [--style NAME]
//
// TOKEN is a bearer token for the user (`filmstudio token --subject NAME` mints a development one); it
// travels as `authorization: Bearer TOKEN` metadata and the orchestrator verifies it.
// Exit status: 0 when the film succeeds, 1 when it fails or is cancelled, 2 on bad usage or an RPC error.
"use strict";

const fs = require("fs");
const path = require("path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const INCLUDES = [path.join(ROOT, "protos"), path.join(ROOT, ".build", "proto_deps")];

function loadFilmService() {
  const definition = protoLoader.loadSync("filmstudio/v1/film.proto", {
    includeDirs: INCLUDES, keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).filmstudio.v1.FilmService;
}

// Positional arguments and --name value options.
function parseArgs(argv) {
  const positional = [];
  const options = {seconds: "", style: "noir"};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : null;
    if (name === null) positional.push(argv[i]);
    else if (name in options && i + 1 < argv.length) options[name] = argv[++i];
    else throw new Error(`unknown or incomplete option ${argv[i]}`);
  }
  return {positional, options};
}

async function main(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`watch_film: ${err.message}`);
    return 2;
  }
  const [addr, scriptFile, token] = args.positional;
  const {seconds, style} = args.options;
  if (!addr || !scriptFile || !token || (seconds && !/^\d+$/.test(seconds))) {
    console.error("usage: node watch_film.js ADDR SCRIPT_FILE TOKEN [--seconds N] [--style NAME]");
    return 2;
  }
  const settings = {style};
  if (seconds) settings.targetDuration = {seconds: seconds, nanos: 0};
  const FilmService = loadFilmService();
  const client = new FilmService(addr, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const film = await new Promise((resolve, reject) => {
    client.createFilm({film: {script: fs.readFileSync(scriptFile, "utf8"), settings}},
      metadata, {deadline: Date.now() + 30000}, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
  console.log(JSON.stringify({created: film.name, state: film.state, shots: film.shots.length}));
  let finalState = film.state;
  let outputs = null;
  await new Promise((resolve, reject) => {
    const stream = client.watchFilm({name: film.name, afterSequence: "0"}, metadata);
    stream.on("data", (event) => {
      console.log(JSON.stringify({sequence: event.sequence, kind: event.kind, progress: event.progress}));
      if (event.stateChange) finalState = event.stateChange.state;
      if (event.outputs) outputs = event.outputs;
    });
    stream.on("error", reject);
    stream.on("end", resolve);
  });
  const duration = outputs && outputs.duration;
  console.log(JSON.stringify({film: film.name, final: finalState, video: outputs ? outputs.videoUri : "",
                              seconds: duration ? Number(duration.seconds) + duration.nanos / 1e9 : 0}));
  client.close();
  return finalState === "FILM_STATE_SUCCEEDED" ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(`watch_film: ${err.code !== undefined ? `gRPC ${err.code}: ` : ""}${err.details || err.message}`);
  process.exit(2);
});
