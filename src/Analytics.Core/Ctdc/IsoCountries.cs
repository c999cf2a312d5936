namespace Analytics.Core.Ctdc;

/// <summary>ISO 3166-1 officially assigned codes (249): alpha-2 and alpha-3, for validating and converting CTDC countries.</summary>
internal static class IsoCountries
{
    // Pairs of alpha-2 + alpha-3, e.g. "ROROU".
    private const string Pairs =
        "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE " +
        "BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS " +
        "BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN " +
        "COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST " +
        "EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF " +
        "GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD " +
        "HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM " +
        "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO LBLBN LCLCA " +
        "LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD " +
        "MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM " +
        "NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG " +
        "PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA " +
        "SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD " +
        "STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON " +
        "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR " +
        "VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE";

    private static readonly Dictionary<string, string> Alpha3ToAlpha2 = Pairs.Split(' ').ToDictionary(p => p[2..], p => p[..2], StringComparer.Ordinal);
    private static readonly HashSet<string> Alpha2 = Pairs.Split(' ').Select(p => p[..2]).ToHashSet(StringComparer.Ordinal);

    public static int Count => Alpha2.Count;

    public static bool IsAlpha2(string code) => Alpha2.Contains(code);

    /// <summary>Alpha-2 for an alpha-2 or alpha-3 code (case-insensitive), or null when it is not an assigned code.</summary>
    public static string? ToAlpha2(string code)
    {
        var c = code.Trim().ToUpperInvariant();
        return c.Length switch
        {
            2 => Alpha2.Contains(c) ? c : null,
            3 => Alpha3ToAlpha2.GetValueOrDefault(c),
            _ => null,
        };
    }
}
