// Lets the screens import their stylesheets, which Vite bundles into files the CSP's style-src 'self' admits.
/// <reference types="vite/client" />
