import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { App } from "./App";
import "./i18n";
import { preloadRooms } from "./rooms";
import "./styles.css";

// The room the URL opens is fetched first, so the first render has it (see rooms.tsx).
void preloadRooms(location.pathname).then(() => {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
});
