import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The built app lands in dist/, which services/console/serve.py serves.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
