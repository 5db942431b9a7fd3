package eu.rempart.sentinel.detect;

/** One kind of evidence the detector weighs; an alert names those that made it. */
public enum Indicator {
    /** A canary file Sentinel placed was written, renamed or deleted: an alert on its own. */
    CANARY_TOUCHED,
    /** An existing file's header no longer says what it is (a JPEG that is no JPEG any more). */
    TYPE_LOST,
    /** Sampled blocks of an existing file became (near) random: full, partial or intermittent encryption. */
    ENTROPY_RISE,
    /** The new version has nothing in common with the previous one (TLSH distance). */
    DISSIMILAR,
    /** A new random file named after an existing document, which then disappears (copy, encrypt, delete). */
    ENCRYPTED_COPY,
    /** A file renamed with an extra extension, content unchanged. */
    RENAMED_EXTENSION,
    /** Several files received the same new extension. */
    COMMON_EXTENSION,
    /** A new file name ends with an extension ransomware families are known to use. */
    KNOWN_EXTENSION,
    /** A new file carries a known ransom-note name. */
    RANSOM_NOTE,
    /** The same new text file was dropped in several folders. */
    NOTE_IN_FOLDERS,
    /** Damaged files in several folders within a minute (rate and breadth). */
    MASS_REWRITE
}
