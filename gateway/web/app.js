// Film Studio in the browser: create a film over the REST edge, follow its events (SSE read with fetch,
// so the bearer token travels in a header), fill in the storyboard shot by shot, play the film, redo a shot.
"use strict";

const $ = (id) => document.getElementById(id);
let film = null;
let lastSequence = 0;  // the last event applied: a reconnect or a re-watch resumes after it
let watching = false;
let rewatch = false;

function token() {
  const value = $("token").value.trim();
  localStorage.setItem("filmstudio-token", value);
  return value;
}

function status(text) { $("status").textContent = text; }

async function api(method, path, body) {
  const reply = await fetch(path, {
    method, headers: {"Authorization": "Bearer " + token(), "Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await reply.json();
  if (!reply.ok) throw new Error(`${reply.status}: ${data.message}`);
  return data;
}

// A file URL of the API (/v1/files/..., as every *Uri field reads) with the token, which rides along
// because <img> and <video> cannot send headers. `version` changes the URL when the object behind the
// same key changes (a redone shot, a re-cut film).
function fileUrl(url, version) {
  if (!url) return "";
  return `${url}?access_token=${encodeURIComponent(token())}` + (version ? `&v=${encodeURIComponent(version)}` : "");
}

function shotCard(shot) {
  let card = document.querySelector(`#storyboard li[data-shot="${CSS.escape(shot.shotId)}"]`);
  if (!card) {
    card = document.createElement("li");
    card.dataset.shot = shot.shotId;
    card.innerHTML = `<img alt=""><div class="caption"></div><button type="button">Redo shot</button>`;
    card.querySelector("button").addEventListener("click", () => redo(shot.name));
    $("storyboard").appendChild(card);
  }
  card.dataset.state = shot.state;
  card.dataset.take = shot.take;
  card.querySelector(".caption").textContent = `${shot.shotId} · take ${shot.take || 0} · ${shot.state.replace("SHOT_STATE_", "").toLowerCase()}`;
  if (shot.imageUri) card.querySelector("img").src = fileUrl(shot.imageUri, shot.take);
  return card;
}

function apply(event) {
  $("progress").value = event.progress || 0;
  if (event.shot) shotCard(event.shot);
  if (event.stateChange) status(event.stateChange.state.replace("FILM_STATE_", "").toLowerCase());
  if (event.outputs && event.outputs.videoUri) {
    const player = $("player");
    player.src = fileUrl(event.outputs.videoUri, event.sequence);
    if (event.outputs.posterUri) player.poster = fileUrl(event.outputs.posterUri);
    player.hidden = false;
  }
}

// Reads the SSE stream until the film ends; on a dropped connection it reconnects with Last-Event-ID
// so nothing repeats.
async function watch(name) {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const headers = {"Authorization": "Bearer " + token(), "Accept": "text/event-stream"};
      if (lastSequence) headers["Last-Event-ID"] = String(lastSequence);
      const reply = await fetch(`/v1/${name}:watch`, {headers});
      if (!reply.ok) throw new Error(`${reply.status}: ${(await reply.json()).message}`);
      const reader = reply.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const {value, done} = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = {};
          for (const line of frame.split("\n")) {
            const at = line.indexOf(": ");
            if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
          }
          if (fields.event === "error") { status("error: " + JSON.parse(fields.data).message); return; }
          if (fields.id) lastSequence = Number(fields.id);
          if (fields.data) apply(JSON.parse(fields.data));
        }
      }
    } catch (err) {
      status(String(err.message || err));
      if (String(err.message).match(/^4\d\d/)) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// One stream at a time; a redo while it is ending asks for one more pass, which resumes after the
// last event seen and follows the re-render to its end.
async function follow(name) {
  rewatch = true;
  if (watching) return;
  watching = true;
  try {
    while (rewatch) {
      rewatch = false;
      await watch(name);
    }
  } finally {
    watching = false;
  }
}

async function make() {
  $("make").disabled = true;
  try {
    film = await api("POST", "/v1/films", {
      script: $("script").value,
      settings: {targetDuration: $("length").value, style: $("style").value, aspectRatio: $("aspect").value},
    });
    $("film").hidden = false;
    $("title").textContent = film.displayName || film.name;
    $("storyboard").textContent = "";
    $("player").hidden = true;
    lastSequence = 0;
    for (const shot of film.shots) shotCard(shot);
    status("queued");
    await follow(film.name);
  } catch (err) {
    status(String(err.message || err));
  } finally {
    $("make").disabled = false;
  }
}

async function redo(shotName) {
  try {
    const updated = await api("POST", `/v1/${shotName}:regenerate`, {});
    for (const shot of updated.shots) shotCard(shot);
    status("redoing shot");
    await follow(updated.name);
  } catch (err) {
    status(String(err.message || err));
  }
}

$("upload").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("script").value = await file.text();
});
$("make").addEventListener("click", make);
$("token").value = new URLSearchParams(location.hash.slice(1)).get("token") || localStorage.getItem("filmstudio-token") || "";
