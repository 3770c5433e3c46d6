namespace Gantry.Data; public static class Placeholder {}
