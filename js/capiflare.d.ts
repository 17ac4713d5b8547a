// TypeScript types for capiflare's public browser API: the global `capiflare(...)` function that
// `<script async src="/capi/t.js"></script>` installs. Calls made before the script has loaded are
// queued and replayed; to call it before the tag, define the same stub Meta's pixel uses:
//
//   window.capiflare = window.capiflare || function () { (capiflare.q = capiflare.q || []).push(arguments); };
//
// Every personal value is normalized and SHA-256-hashed in the page before anything is sent;
// values that are already SHA-256 hex pass through unchanged.

/** Customer information, raw or already hashed (SHA-256 hex). One value or several. */
export interface CapiflareUser {
  email?: string | string[];
  phone?: string | string[];
  first_name?: string | string[];
  last_name?: string | string[];
  /** The whole name in one value: split into first and last name, as a form's full-name field is. */
  full_name?: string | string[];
  city?: string | string[];
  state?: string | string[];
  zip?: string | string[];
  country?: string | string[];
  date_of_birth?: string | string[];
  gender?: string | string[];
  external_id?: string | string[];
  /** Meta's own keys are accepted too. */
  em?: string | string[];
  ph?: string | string[];
  fn?: string | string[];
  ln?: string | string[];
  ct?: string | string[];
  st?: string | string[];
  zp?: string | string[];
  db?: string | string[];
  ge?: string | string[];
}

/** What a `track` callback receives. */
export type CapiflareTrackResult =
  /** The event was sent on both channels, or is held until consent, with this id. */
  | { eventId: string }
  /** The call was not valid (`event_name_invalid`, `event_id_invalid`); nothing was sent. */
  | { error: { code: string; message: string } }
  /** Consent is denied (GPC, a consent manager, or `capiflare('consent', 'revoke')`): nothing is sent. */
  | undefined;

export interface CapiflareTrackOptions {
  /** Your own event id (1 to 100 printable ASCII characters, no spaces); one is made otherwise. */
  eventID?: string;
  /** Customer information for this event (hashed in the page). */
  user?: CapiflareUser;
  callback?: (result: CapiflareTrackResult) => void;
}

/** Custom data for Meta (`value`, `currency`, `content_ids`, …); no personal data. */
export type CapiflareCustomData = Record<string, unknown>;

export interface Capiflare {
  /**
   * Sends one event on both channels with one event_id: `fbq('track'|'trackCustom', name, data,
   * {eventID})` and the worker's Conversions API copy. Standard Meta names (Lead, Purchase,
   * Schedule, PageView, …) use `track`, any other name `trackCustom`. A name is 1 to 100 ASCII
   * letters, digits, spaces, `_` or `-` (surrounding spaces are trimmed), as the worker accepts it.
   */
  (command: 'track', eventName: string, data?: CapiflareCustomData, options?: CapiflareTrackOptions): void;
  /**
   * The site's explicit consent decision for both channels (also mirrored to `fbq('consent', …)`).
   * Under an opt-in policy, conversions made before `grant` are held with their event_id and time
   * and sent on `grant`, dropped on `revoke`. GPC (`navigator.globalPrivacyControl`) always wins.
   */
  (command: 'consent', action: 'grant' | 'revoke'): void;
  /** Customer information added to this page's later events (hashed at once, kept in memory only). */
  (command: 'identify', user: CapiflareUser): void;
  /** Calls waiting for the module (the queue stub). */
  q?: IArguments[];
  /** 1 once the module runs. */
  l?: 1;
}

declare global {
  interface Window {
    capiflare: Capiflare;
  }
}
