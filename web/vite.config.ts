import { defineConfig } from "vite";

// The build is embedded in (or served beside) the yardstick binary; every asset but index.html
// has a content hash in its name so the server can let browsers cache it for good.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` proxies the API to a local `yardstick serve`.
    proxy: { "/v1": "http://127.0.0.1:8080" },
  },
});
