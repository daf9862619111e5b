// Builds the phone app into homelog/web/dist, which Flask serves at "/".
// The service worker (src/sw.js) is built by vite-plugin-pwa with Workbox's precache
// manifest injected: every hashed file of this build, so the app opens with no signal.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  build: {
    outDir: '../homelog/web/dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 0, // no data: URLs for assets; everything is a cacheable file
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false, // src/updates.js registers it, to say when an update is ready
      registerType: 'prompt',
      manifest: {
        name: 'Homelog',
        short_name: 'Homelog',
        description: 'Record home visits and see every agency’s visits on one timeline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b3d5c',
        lang: 'en-GB',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png',
            purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png',
            purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
      },
    }),
  ],
});
