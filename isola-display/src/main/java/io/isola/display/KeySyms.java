package io.isola.display;

import java.awt.event.KeyEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The X keysym names of the keys the host window passes to the cell. A key that is not listed does not reach the
 * cell: the names are Isola's own constants, so nothing the host receives can smuggle another xdotool command.
 */
final class KeySyms {
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            NAMES.put((int) c, String.valueOf(Character.toLowerCase(c)));
        }
        for (char c = '0'; c <= '9'; c++) {
            NAMES.put((int) c, String.valueOf(c));
        }
        for (int f = 1; f <= 12; f++) {
            NAMES.put(KeyEvent.VK_F1 + f - 1, "F" + f);
        }
        Object[][] named = {
            {KeyEvent.VK_ENTER, "Return"},
            {KeyEvent.VK_BACK_SPACE, "BackSpace"},
            {KeyEvent.VK_TAB, "Tab"},
            {KeyEvent.VK_ESCAPE, "Escape"},
            {KeyEvent.VK_SPACE, "space"},
            {KeyEvent.VK_DELETE, "Delete"},
            {KeyEvent.VK_INSERT, "Insert"},
            {KeyEvent.VK_HOME, "Home"},
            {KeyEvent.VK_END, "End"},
            {KeyEvent.VK_PAGE_UP, "Prior"},
            {KeyEvent.VK_PAGE_DOWN, "Next"},
            {KeyEvent.VK_LEFT, "Left"},
            {KeyEvent.VK_RIGHT, "Right"},
            {KeyEvent.VK_UP, "Up"},
            {KeyEvent.VK_DOWN, "Down"},
            {KeyEvent.VK_SHIFT, "Shift_L"},
            {KeyEvent.VK_CONTROL, "Control_L"},
            {KeyEvent.VK_ALT, "Alt_L"},
            {KeyEvent.VK_COMMA, "comma"},
            {KeyEvent.VK_PERIOD, "period"},
            {KeyEvent.VK_SLASH, "slash"},
            {KeyEvent.VK_SEMICOLON, "semicolon"},
            {KeyEvent.VK_EQUALS, "equal"},
            {KeyEvent.VK_MINUS, "minus"},
            {KeyEvent.VK_QUOTE, "apostrophe"},
            {KeyEvent.VK_BACK_SLASH, "backslash"},
            {KeyEvent.VK_OPEN_BRACKET, "bracketleft"},
            {KeyEvent.VK_CLOSE_BRACKET, "bracketright"},
            {KeyEvent.VK_BACK_QUOTE, "grave"},
            {KeyEvent.VK_CAPS_LOCK, "Caps_Lock"},
        };
        for (Object[] n : named) {
            NAMES.put((Integer) n[0], (String) n[1]);
        }
    }

    private KeySyms() {}

    /** The keysym name of an AWT key code, or null when the cell is not told of that key. */
    static String of(int keyCode) {
        return NAMES.get(keyCode);
    }
}
