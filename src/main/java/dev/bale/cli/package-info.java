/**
 * The {@code bale} command line: picocli commands, exit codes and terminal rendering. It is the
 * only package that writes to standard output and standard error.
 */
package dev.bale.cli;
