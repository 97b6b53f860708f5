/**
 * Debian package repositories as a source of layers: signed InRelease files, Packages indexes,
 * dependency resolution per architecture, and .deb files read in Java.
 *
 * <p>Formats (no network): {@link dev.plinth.deb.DebVersion} (dpkg ordering), {@link
 * dev.plinth.deb.Control} (deb822 paragraphs), {@link dev.plinth.deb.DebPackage} (ar, control and
 * data tarballs, gz/xz/zstd). Trust and transport: {@link dev.plinth.deb.InRelease} (OpenPGP
 * clearsigned, checked like apt), {@link dev.plinth.deb.Fetcher} and {@link
 * dev.plinth.deb.Cache}. Resolution: {@link dev.plinth.deb.Resolver}.
 */
package dev.plinth.deb;
