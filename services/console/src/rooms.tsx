// Rooms load on first visit, so the first page a user opens carries only its own code. A room
// opened by URL (a reload, a link) is fetched before the first render: React 19 holds a revealed
// Suspense boundary back for 300 ms after its fallback showed, which alone would cost a direct
// visit a third of its one-second budget. In-app navigation runs in a transition, so the page
// being left stays on screen while the next room loads and no fallback shows.
import { createElement, lazy, type ComponentType } from "react";

type Module = { default: ComponentType };

export interface Room {
  (props: object): ReturnType<typeof createElement>;
  preload: () => Promise<unknown>;
}

function room(load: () => Promise<Module>): Room {
  let loaded: ComponentType | null = null;
  let pending: Promise<Module> | null = null;
  const preload = () => (pending ??= load().then((m) => { loaded = m.default; return m; }));
  const Lazy = lazy(preload);
  const Room = ((props: object) => createElement(loaded ?? Lazy, props)) as Room;
  Room.preload = preload;
  return Room;
}

export const SubjectFile = room(() => import("./subject/SubjectFile"));
export const DecideListing = room(() => import("./listing/DecideListing"));
export const ListingPage = room(() => import("./listing/ListingPage"));
export const RepairDecision = room(() => import("./listing/RepairDecision"));
export const Catalogue = room(() => import("./catalogue/Catalogue"));
export const WorkQueue = room(() => import("./workqueue/WorkQueue"));
export const Overview = room(() => import("./overview/Overview"));
export const ListingSearch = room(() => import("./listing/ListingSearch"));
export const MyFile = room(() => import("./me/MyFile"));

const BY_PATH: [RegExp, Room[]][] = [
  // "/" sends officials to the work queue and subjects to their own file.
  [/^\/$/, [WorkQueue, MyFile]],
  [/^\/subjects\/[^/]+\/decide$/, [DecideListing]],
  [/^\/subjects\/[^/]+$/, [SubjectFile]],
  [/^\/listings\/[^/]+$/, [ListingPage]],
  [/^\/listings$/, [ListingSearch]],
  [/^\/repairs\/[^/]+$/, [RepairDecision]],
  [/^\/catalogue$/, [Catalogue]],
  [/^\/work$/, [WorkQueue]],
  [/^\/overview$/, [Overview]],
  [/^\/me$/, [MyFile]],
];

/** Fetch the room(s) `pathname` opens; resolves (never rejects) once they are in, or after `ms`. */
export function preloadRooms(pathname: string, ms = 1500): Promise<void> {
  const rooms = BY_PATH.find(([re]) => re.test(pathname))?.[1] ?? [];
  if (!rooms.length) return Promise.resolve();
  const all = Promise.all(rooms.map((r) => r.preload())).then(() => undefined, () => undefined);
  return Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
}
