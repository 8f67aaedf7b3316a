// The contract's messages under the names the page uses.
import type { components } from "./schema";

type Schemas = components["schemas"];
export type Film = Schemas["filmstudio.v1.Film"];
export type FilmSettings = Schemas["filmstudio.v1.FilmSettings"];
export type FilmOutputs = Schemas["filmstudio.v1.FilmOutputs"];
export type FilmState = NonNullable<Film["state"]>;
export type ShotRender = Schemas["filmstudio.v1.ShotRender"];
export type Shot = Schemas["filmstudio.v1.Shot"];
export type Character = Schemas["filmstudio.v1.Character"];
export type SceneGraph = Schemas["filmstudio.v1.SceneGraph"];

export const ENDED_STATES: FilmState[] = ["FILM_STATE_SUCCEEDED", "FILM_STATE_FAILED", "FILM_STATE_CANCELLED"];
export type Account = Schemas["filmstudio.v1.Account"];
export type LedgerEntry = Schemas["filmstudio.v1.LedgerEntry"];
export type ApiToken = Schemas["filmstudio.v1.ApiToken"];
export type Framing = NonNullable<Shot["framing"]>;
export type CameraMove = NonNullable<Shot["cameraMove"]>;
export type Motion = NonNullable<Shot["motion"]>;
/** What a redo may change: only the fields given are sent. */
export type ShotEdit = { prompt?: string; framing?: Framing; cameraMove?: CameraMove; duration?: string; motion?: Motion };
export type Webhook = Schemas["filmstudio.v1.Webhook"];
export type WebhookDelivery = Schemas["filmstudio.v1.WebhookDelivery"];
export type WebhookEventType = NonNullable<Webhook["eventTypes"]>[number];
