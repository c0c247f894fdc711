package io.richard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuoteTest {

    @Test
    void shortValuesAreQuotedWhole() {
        assertEquals("'cat'", Quote.single("cat"));
        assertEquals("\"two words\"", Quote.dbl("two words"));
        assertEquals("null", Quote.single(null));
        assertEquals("'" + "x".repeat(60) + "'", Quote.single("x".repeat(60)));
    }

    @Test
    void aTenMegabyteValueIsShownByItsStartAndLength() {
        String label = "L" + "a".repeat(10 * 1024 * 1024 - 1);
        String shown = Quote.single(label);
        assertEquals("'L" + "a".repeat(39) + "… (10,485,760 characters)'", shown);
    }

    @Test
    void controlCharactersAreEscapedSoTheMessageStaysOneLine() {
        assertEquals("'a\\nb\\tc\\u0000d\\u001b'", Quote.single("a\nb\tc\u0000d\u001b"));
        assertEquals("a b c", Quote.message("a\nb\r\nc"));
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsNotCutInTwo() {
        String value = "x".repeat(39) + "\uD83D\uDE00" + "y".repeat(30);
        String shown = Quote.text(value);
        assertTrue(shown.startsWith("x".repeat(39) + "…"), shown);
    }

    @Test
    void aWholeMessageIsBounded() {
        String message = "f.csv:1: " + "z".repeat(100_000);
        String shown = Quote.message(message);
        assertTrue(shown.length() <= Quote.MAX_MESSAGE + 40, "length " + shown.length());
        assertTrue(shown.startsWith("f.csv:1: zzz"), shown);
        assertTrue(shown.endsWith("(100,009 characters)"), shown);
    }
}
